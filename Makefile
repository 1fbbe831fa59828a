# Thin wrapper over CMake/Ninja. `make run` and `make test` install missing
# Debian packages first (scripts/install-deps.sh), so a fresh Debian 12
# machine goes from clone to green with these two commands.

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

.PHONY: all deps configure build run test bench docs format clean

all: build

deps:
	./scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The main job: JIT-run the example.
run: build
	./scripts/run-example.sh $(BUILD_DIR)

# Every test: lit (FileCheck + JIT integration) and GoogleTest, via ctest.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Speed and memory numbers: one table, ratios to a copy measured in the same run.
bench: build
	$(BUILD_DIR)/bin/norm-bench
	@if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then \
	  bench/gpu-bench.sh $(BUILD_DIR); \
	else echo "no NVIDIA GPU: GPU benchmark skipped"; fi

# Regenerate the dialect and pass documentation under docs/.
docs: configure
	cmake --build $(BUILD_DIR) --target mlir-doc
	cp $(BUILD_DIR)/docs/Dialects/NormOps.md docs/Dialects/NormOps.md
	cp $(BUILD_DIR)/docs/Passes/*.md docs/Passes/

format:
	find include lib tools unittests bench -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
