//===- GPUTileParallelLoops.cpp - Host loops into blocks of threads -------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMGPUTILEPARALLELLOOPS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {
struct NormGPUTileParallelLoopsPass
    : public norm::impl::NormGPUTileParallelLoopsBase<
          NormGPUTileParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (blockSize <= 0 || blockSize > 1024) {
      getOperation().emitError("block-size must be in [1, 1024], got ")
          << blockSize.getValue();
      return signalPassFailure();
    }
    auto collectOutermost = [&] {
      SmallVector<scf::ParallelOp> loops;
      getOperation().walk([&](scf::ParallelOp loop) {
        if (!loop->getParentOfType<scf::ParallelOp>() &&
            !loop->getParentOfType<gpu::LaunchOp>())
          loops.push_back(loop);
      });
      return loops;
    };
    // Only three dims map to the grid: fold all but the innermost into one.
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp loop : collectOutermost()) {
      unsigned numLoops = loop.getNumLoops();
      if (numLoops <= 2)
        continue;
      std::vector<unsigned> outer;
      for (unsigned dim = 0; dim + 1 < numLoops; ++dim)
        outer.push_back(dim);
      collapseParallelLoops(rewriter, loop, {outer, {numLoops - 1}});
    }
    for (scf::ParallelOp loop : collectOutermost()) {
      SmallVector<int64_t> sizes(loop.getNumLoops(), 1);
      sizes.back() = blockSize;
      scf::tileParallelLoop(loop, sizes, /*noMinMaxBounds=*/true);
    }
  }
};
} // namespace
