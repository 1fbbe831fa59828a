#!/usr/bin/env bash
# Installs the Debian packages norm needs to build and test. Idempotent: does
# nothing when everything is present. Needs root (or sudo) on Debian 12.
# With --fuzz, also what `make fuzz` needs; with --train, what `make train`
# needs (matplotlib for the curves).
set -euo pipefail

# LLVMConfig.cmake looks for zlib, zstd, libxml2, libedit, libffi and curl
# with optional find_package calls; their imported targets are linked only by
# LLVM's static component libraries (LLVMSupport, LLVMLineEditor, ...), and
# norm links the shared libMLIR and libLLVM, whose runtime dependencies come
# with libllvm22. So none of their -dev packages is needed here (llvm-22-dev
# itself pulls in libffi-dev, libxml2-dev, libz3-dev and libncurses-dev).
packages=(
  cmake ninja-build ccache g++ python3 python3-numpy make clang-format
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
  libgtest-dev
  libdnnl-dev libopenblas-dev
  # The OpenMP runtime that parallel JIT code calls (libomp.so.5).
  libomp5-14
  # norm-translate --import-onnx: ONNX's protobuf classes (onnx-ml.pb.h needs
  # protobuf's headers).
  libonnx-dev libprotobuf-dev
)

# `make fuzz` only: clang 14 and its libFuzzer/sanitizer runtimes
# (libclang_rt.fuzzer-x86_64.a is in libclang-rt-14-dev).
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi
# `make train` only: the plot of the loss and gradient-norm curves.
if [ "${1:-}" = "--train" ]; then
  packages+=(python3-matplotlib)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
