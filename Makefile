# Thin wrapper over CMake/Ninja. `make run` and `make test` install missing
# Debian packages first (scripts/install-deps.sh), so a fresh Debian 12
# machine goes from clone to green with these two commands.

SHELL := /bin/bash
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
LLVM_DIR := /usr/lib/llvm-22
CCACHE := $(shell command -v ccache 2>/dev/null)

CMAKE_FLAGS := -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=$(LLVM_DIR)/bin/lit
ifneq ($(CCACHE),)
CMAKE_FLAGS += -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
endif

.PHONY: all deps configure build install run test train test-sanitize fuzz bench bench-torch docs format clean

all: build

deps:
	./scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Headers (with the generated .inc files), libraries, tools and the CMake
# package (lib/cmake/norm/NormConfig.cmake) for other projects'
# find_package(Norm). PREFIX (or CMAKE_INSTALL_PREFIX) overrides the prefix
# the build was configured with (default /usr/local).
PREFIX ?= $(CMAKE_INSTALL_PREFIX)
install: build
	cmake --install $(BUILD_DIR) $(if $(PREFIX),--prefix $(PREFIX))

# The main job: JIT-run the example.
run: build
	./scripts/run-example.sh $(BUILD_DIR)

# Every test: lit (FileCheck + JIT integration) and GoogleTest, via ctest.
# ctest lists the skipped tests after its summary: repeat the summary last.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) | tee ctest.log; \
	  status=$${PIPESTATUS[0]}; echo; grep -E "tests passed|Total Test time" ctest.log; \
	  exit $$status

# Trains the small language model (examples/lm) with LayerNorm and with
# RMSNorm on the same data, seed and initial weights and compares them: one
# table, per-step CSV and the curves in $(BUILD_DIR)/train (docs/training.md).
# Debian's Python, where install-deps puts matplotlib.
TRAIN_STEPS ?= 3000
TRAIN_PYTHON ?= /usr/bin/python3
train: build
	./scripts/install-deps.sh --train
	$(TRAIN_PYTHON) examples/lm/compare.py --build-dir $(BUILD_DIR) --steps $(TRAIN_STEPS)

# The same suite with norm's code built with AddressSanitizer (+LeakSanitizer)
# and UndefinedBehaviorSanitizer, every report fatal; libMLIR/libLLVM and
# JIT-compiled code are not instrumented. Leaks inside upstream's global state
# are suppressed in utils/sanitizers/lsan.supp (lit passes *SAN_OPTIONS on).
SAN_BUILD_DIR ?= build-asan
SANITIZERS ?= address;undefined
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/utils/sanitizers/lsan.supp:print_suppressions=0 \
  UBSAN_OPTIONS=print_stacktrace=1 \
  ASAN_SYMBOLIZER_PATH=$(LLVM_DIR)/bin/llvm-symbolizer

test-sanitize: deps
	cmake -S . -B $(SAN_BUILD_DIR) $(CMAKE_FLAGS) "-DNORM_SANITIZERS=$(SANITIZERS)"
	cmake --build $(SAN_BUILD_DIR) -j $(JOBS)
	cd $(SAN_BUILD_DIR) && $(SAN_ENV) ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (fuzz/), built with clang-14 and ASan + UBSan in
# $(FUZZ_BUILD_DIR), each run for FUZZ_SECONDS on its growing corpus.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CMAKE_FLAGS := $(CMAKE_FLAGS) -DNORM_BUILD_FUZZERS=ON \
  "-DNORM_SANITIZERS=address;undefined" \
  "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -gline-tables-only -DNDEBUG"

fuzz:
	./scripts/install-deps.sh --fuzz
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD_DIR) $(FUZZ_CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target norm-fuzzers
	BUILD_DIR=$(CURDIR)/$(FUZZ_BUILD_DIR) FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

# Speed and memory numbers: one table, ratios to a copy measured in the same run.
# The transformer block against PyTorch is `make bench-torch`.
bench: build
	$(BUILD_DIR)/bin/norm-bench
	@if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then \
	  bench/gpu-bench.sh $(BUILD_DIR); \
	else echo "no NVIDIA GPU: GPU benchmark skipped"; fi

# The transformer block (tiny and 7b, both norm kinds, one thread and all
# cores) against PyTorch eager on the same weights and thread count, rounds
# interleaved, outputs compared (bench/torch_block.py --help). Debian's
# Python, where python3-torch lives; BENCH_TORCH_FLAGS e.g. --configs tiny.
TORCH_PYTHON ?= /usr/bin/python3
BENCH_TORCH_FLAGS ?=
bench-torch: build
	$(TORCH_PYTHON) bench/torch_block.py --build-dir $(BUILD_DIR) $(BENCH_TORCH_FLAGS)

# Regenerate the dialect and pass documentation under docs/.
docs: configure
	cmake --build $(BUILD_DIR) --target mlir-doc
	cp $(BUILD_DIR)/docs/Dialects/NormOps.md docs/Dialects/NormOps.md
	cp $(BUILD_DIR)/docs/Passes/*.md docs/Passes/
	mkdir -p docs/Interfaces
	cp $(BUILD_DIR)/docs/Interfaces/*.md docs/Interfaces/

format:
	find include lib tools unittests bench fuzz -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
