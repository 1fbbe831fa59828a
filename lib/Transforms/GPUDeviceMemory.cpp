//===- GPUDeviceMemory.cpp - Host buffers in GPU memory -------------------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMGPUDEVICEMEMORY
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

/// Whether `op` (outside any launch) reads or writes buffer contents.
static bool touchesBufferContents(Operation *op) {
  if (isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp, memref::DimOp,
          gpu::LaunchOp>(op))
    return false;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::any_of(instances, [](const MemoryEffects::EffectInstance &e) {
    Value value = e.getValue();
    return value && isa<BaseMemRefType>(value.getType()) &&
           isa<MemoryEffects::Read, MemoryEffects::Write>(e.getEffect());
  });
}

namespace {
struct NormGPUDeviceMemoryPass
    : public norm::impl::NormGPUDeviceMemoryBase<NormGPUDeviceMemoryPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> hostOps;
    SmallVector<memref::GetGlobalOp> globals;
    WalkResult result = getOperation().walk<WalkOrder::PreOrder>(
        [&](Operation *op) -> WalkResult {
          if (isa<gpu::LaunchOp>(op))
            return WalkResult::skip();
          if (isa<memref::GetGlobalOp>(op)) {
            globals.push_back(cast<memref::GetGlobalOp>(op));
            return WalkResult::advance();
          }
          if (touchesBufferContents(op)) {
            op->emitOpError("accesses a buffer from host code, but buffers "
                            "live in GPU memory; only work mapped to "
                            "gpu.launch is supported on the GPU target");
            return WalkResult::interrupt();
          }
          if (isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp>(op))
            hostOps.push_back(op);
          return WalkResult::advance();
        });
    if (result.wasInterrupted())
      return signalPassFailure();

    IRRewriter rewriter(&getContext());
    // Constants live in host memory: each use gets a device copy, made where
    // the constant is taken and freed before the function returns.
    for (memref::GetGlobalOp global : globals) {
      Location loc = global.getLoc();
      rewriter.setInsertionPointAfter(global);
      auto copy = gpu::AllocOp::create(rewriter, loc, global.getType(),
                                       /*asyncToken=*/Type(), ValueRange{},
                                       ValueRange{}, ValueRange{},
                                       /*hostShared=*/false);
      Value device = copy.getMemref();
      rewriter.replaceAllUsesWith(global.getResult(), device);
      gpu::MemcpyOp::create(rewriter, loc, /*asyncToken=*/Type(), ValueRange{},
                            device, global.getResult());
      bool returned = false;
      getOperation().walk([&](func::ReturnOp ret) {
        returned |= llvm::is_contained(ret.getOperands(), device);
      });
      if (returned)
        continue;
      getOperation().walk([&](func::ReturnOp ret) {
        rewriter.setInsertionPoint(ret);
        gpu::DeallocOp::create(rewriter, loc, /*asyncToken=*/Type(),
                               ValueRange{}, device);
      });
    }
    for (Operation *op : hostOps) {
      rewriter.setInsertionPoint(op);
      Location loc = op->getLoc();
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        auto gpuAlloc = gpu::AllocOp::create(
            rewriter, loc, alloc.getType(), /*asyncToken=*/Type(),
            /*asyncDependencies=*/ValueRange{}, alloc.getDynamicSizes(),
            alloc.getSymbolOperands(), /*hostShared=*/false);
        rewriter.replaceOp(alloc, gpuAlloc.getMemref());
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        gpu::DeallocOp::create(rewriter, loc, /*asyncToken=*/Type(),
                               ValueRange{}, dealloc.getMemref());
        rewriter.eraseOp(dealloc);
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        gpu::MemcpyOp::create(rewriter, loc, /*asyncToken=*/Type(),
                              ValueRange{}, copy.getTarget(), copy.getSource());
        rewriter.eraseOp(copy);
      }
    }
  }
};
} // namespace
