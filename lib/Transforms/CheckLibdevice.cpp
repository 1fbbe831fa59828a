//===- CheckLibdevice.cpp - Require CUDA's libdevice ----------------------===//

#include "norm/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMCHECKLIBDEVICE
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {
struct NormCheckLibdevicePass
    : public norm::impl::NormCheckLibdeviceBase<NormCheckLibdevicePass> {
  using Base::Base;

  void runOnOperation() override {
    llvm::SmallString<256> path(cudaPath);
    llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
    if (llvm::sys::fs::exists(path))
      return;
    getOperation().emitError("CUDA libdevice not found at '")
        << path
        << "': GPU kernels need it for rsqrt; point the pipeline's "
           "cuda-path option (or CUDA_HOME) at a CUDA toolkit";
    signalPassFailure();
  }
};
} // namespace
