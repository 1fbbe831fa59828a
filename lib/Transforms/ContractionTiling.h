//===- ContractionTiling.h - Cache and register blocks of matmuls -*- C++
//-*-===//
//
// norm-vectorize's tiling of contractions (matmul, batch_matmul and generic
// contractions) into tasks, cache blocks with a packed panel of B, and
// register blocks.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_TRANSFORMS_CONTRACTIONTILING_H
#define NORM_LIB_TRANSFORMS_CONTRACTIONTILING_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::norm {
/// Block sizes of a contraction C[m, n] += A[m, k] B[k, n].
struct ContractionBlocks {
  int64_t rows;             // m of a register block
  int64_t cols;             // n of a register block and of a packed panel of B
  int64_t depth;            // k of a cache block (the packed panel's rows)
  int64_t taskCols;         // n of a parallel task (scf.forall); 0: no tasks
  int64_t minTaskFlops = 0; // least work of a task (static shapes)
};

/// Whether `op` is a contraction with m, n and k dims (A x B, batched or
/// not), which tileContraction handles.
bool isBlockableContraction(linalg::LinalgOp op);

/// Tiles contraction `op` into an scf.forall over tasks of `taskCols`
/// columns and single batch entries (none when `taskCols` is 0) and loops
/// over cache blocks of `depth` by `cols` (k outer); loops whose step does
/// not divide their range are peeled, so that after canonicalization full
/// blocks have static shapes. The blocks are marked for
/// tileContractionPanel. Expects isBlockableContraction(op).
LogicalResult tileContractionIntoPanels(RewriterBase &rewriter,
                                        linalg::LinalgOp op,
                                        const ContractionBlocks &blocks);

/// Whether `op` is a cache block left by tileContractionIntoPanels.
bool isContractionPanel(linalg::LinalgOp op);

/// Copies the cache block's slice of B into a contiguous panel (a new
/// tensor; `onCopy` receives the copy) and tiles the block into register
/// blocks of `rows` by `cols` outputs, one step of k at a time, the row loop
/// peeled.
LogicalResult
tileContractionPanel(RewriterBase &rewriter, linalg::LinalgOp op,
                     const ContractionBlocks &blocks,
                     function_ref<LogicalResult(linalg::LinalgOp)> onCopy);
} // namespace mlir::norm

#endif // NORM_LIB_TRANSFORMS_CONTRACTIONTILING_H
