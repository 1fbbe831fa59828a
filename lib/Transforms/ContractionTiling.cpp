//===- ContractionTiling.cpp - Cache and register blocks of matmuls -------===//
//
// The loop nest of a contraction C[m, n] += A[m, k] B[k, n], as in
// GotoBLAS-style sgemm, built from upstream tiling and loop peeling:
//
//   scf.forall over tasks of `taskCols` columns (and batch entries)
//     scf.for k0 step depth, scf.for n0 step cols
//       copy B[k0 : k0 + depth, n0 : n0 + cols] into a contiguous panel
//       scf.for m0 step rows, scf.for k step 1
//         C[m0 : m0 + rows, n0 : n0 + cols] += A[m0 :, k] * panel[k, :]
//
// Unpacked, a column block of B is `depth` rows each a full row of B apart:
// with a power-of-two row length they share a handful of L1 and L2 sets and
// one page each, and every register block re-reads them from memory. The
// packed panel (depth x cols floats, L1-sized) is read once from B and then
// by every register block of rows of C from L1.
//
//===----------------------------------------------------------------------===//

#include "ContractionTiling.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "norm-vectorize"

using namespace mlir;
using namespace mlir::norm;

namespace {
/// One level of tiling: tile sizes and loop order of every loop of the op.
struct TilingLevel {
  SmallVector<int64_t> sizes;
  SmallVector<int64_t> order;
  bool forall = false;
};
} // namespace

/// Tiles `op` as `level` says; returns the tiling (no loops when no loop is
/// tiled).
static FailureOr<scf::SCFTilingResult>
tileLevel(RewriterBase &rewriter, linalg::LinalgOp op, TilingLevel level) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // A loop that fits in one tile is left alone.
  for (auto [size, range] : llvm::zip(level.sizes, ranges))
    if (!ShapedType::isDynamic(range) && range <= size)
      size = 0;
  if (llvm::all_of(level.sizes, [](int64_t size) { return size == 0; })) {
    scf::SCFTilingResult untiled;
    untiled.tiledOps.push_back(op);
    return untiled;
  }
  scf::SCFTilingOptions options;
  options.setTileSizes(
      getAsIndexOpFoldResult(rewriter.getContext(), level.sizes));
  options.setInterchange(level.order);
  if (level.forall)
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return op.emitOpError("could not be tiled into matmul blocks");
  rewriter.replaceOp(op, tiled->replacements);
  return tiled;
}

/// The input operand of `op` that no m dim indexes (B of A x B), if any.
static OpOperand *getPanelOperand(linalg::LinalgOp op,
                                  const linalg::ContractionDimensions &dims) {
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (isa<RankedTensorType>(input->get().getType()) &&
        llvm::none_of(dims.m,
                      [&](unsigned dim) { return map.isFunctionOfDim(dim); }))
      return input;
  }
  return nullptr;
}

/// Replaces `operand` of its op by a copy into a new tensor: a contiguous
/// buffer once bufferized. Returns the copy.
static linalg::LinalgOp packOperand(RewriterBase &rewriter,
                                    OpOperand &operand) {
  Operation *user = operand.getOwner();
  Location loc = user->getLoc();
  rewriter.setInsertionPoint(user);
  Value slice = operand.get();
  Value empty = tensor::EmptyOp::create(
      rewriter, loc, tensor::getMixedSizes(rewriter, loc, slice),
      getElementTypeOrSelf(slice.getType()));
  auto copy = linalg::CopyOp::create(rewriter, loc, slice, empty);
  rewriter.modifyOpInPlace(user, [&] { operand.set(copy.getResult(0)); });
  return cast<linalg::LinalgOp>(copy.getOperation());
}

/// Peels the scf.for loops of `tiling`, innermost first, so that their full
/// tiles have static sizes; peeling an outer loop copies the already peeled
/// inner loops into its remainder.
static void peelLoops(RewriterBase &rewriter,
                      const scf::SCFTilingResult &tiling) {
  for (LoopLikeOpInterface loop : llvm::reverse(tiling.loops))
    if (auto forOp = dyn_cast<scf::ForOp>(loop.getOperation())) {
      scf::ForOp remainder;
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, remainder);
    }
}

bool mlir::norm::isBlockableContraction(linalg::LinalgOp op) {
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  return succeeded(dims) && !dims->m.empty() && !dims->n.empty() &&
         !dims->k.empty();
}

/// Marks the cache blocks that tileContractionIntoPanels leaves for
/// tileContractionPanel.
static constexpr llvm::StringLiteral kPanelAttr = "norm.matmul_panel";

/// Loop order: batch dims outermost, then `first`, then the others.
static SmallVector<int64_t>
getLoopOrder(int64_t rank, const linalg::ContractionDimensions &dims,
             ArrayRef<int64_t> first) {
  SmallVector<int64_t> order(dims.batch.begin(), dims.batch.end());
  llvm::append_range(order, first);
  for (int64_t dim = 0; dim < rank; ++dim)
    if (!llvm::is_contained(order, dim))
      order.push_back(dim);
  return order;
}

/// The columns of a parallel task: `taskCols`, widened (by whole panels) so
/// that a task does at least `minTaskFlops`; 0 (one task on the calling
/// thread) when the whole contraction does less than two tasks' worth.
/// A parallel region costs microseconds even with OpenMP's spinning workers,
/// and cost about 90 us with the async runtime used before: split across two
/// threads, the tiny block's [80x128]x[128x256] (5 MFLOP) took 0.12 ms
/// against 0.03 ms on one. Dynamic sizes keep `taskCols`.
static int64_t getTaskCols(linalg::LinalgOp op,
                           const linalg::ContractionDimensions &dims,
                           const ContractionBlocks &blocks) {
  if (blocks.taskCols == 0 || blocks.minTaskFlops == 0)
    return blocks.taskCols;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return blocks.taskCols;
  // Flops of one output column of one batch entry, and of the whole op.
  int64_t columnFlops = 2;
  for (unsigned dim : llvm::concat<const unsigned>(dims.m, dims.k))
    columnFlops *= ranges[dim];
  int64_t totalFlops = columnFlops;
  for (unsigned dim : llvm::concat<const unsigned>(dims.n, dims.batch))
    totalFlops *= ranges[dim];
  if (totalFlops < 2 * blocks.minTaskFlops)
    return 0;
  int64_t cols = llvm::divideCeil(blocks.minTaskFlops, columnFlops);
  return std::max(blocks.taskCols,
                  static_cast<int64_t>(llvm::alignTo(cols, blocks.cols)));
}

LogicalResult
mlir::norm::tileContractionIntoPanels(RewriterBase &rewriter,
                                      linalg::LinalgOp op,
                                      const ContractionBlocks &blocks) {
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  assert(succeeded(dims) && "expects a blockable contraction");
  int64_t rank = op.getNumLoops();
  int64_t n = dims->n.back(), k = dims->k.back();
  int64_t taskCols = getTaskCols(op, *dims, blocks);
  TilingLevel tasks{SmallVector<int64_t>(rank, 0),
                    getLoopOrder(rank, *dims, {n}), /*forall=*/true};
  TilingLevel cache{SmallVector<int64_t>(rank, 0),
                    getLoopOrder(rank, *dims, {k, n})};
  for (unsigned dim : dims->batch)
    (taskCols > 0 ? tasks : cache).sizes[dim] = 1;
  tasks.sizes[n] = taskCols;
  cache.sizes[n] = blocks.cols;
  cache.sizes[k] = blocks.depth;
  LLVM_DEBUG(llvm::dbgs() << "[" DEBUG_TYPE "] contraction " << op->getName()
                          << " at " << op.getLoc() << ": tasks of " << taskCols
                          << " columns, panels of " << blocks.depth << " x "
                          << blocks.cols << ", register blocks of "
                          << blocks.rows << " x " << blocks.cols << "\n");
  if (taskCols > 0) {
    FailureOr<scf::SCFTilingResult> tiled = tileLevel(rewriter, op, tasks);
    if (failed(tiled))
      return failure();
    op = cast<linalg::LinalgOp>(tiled->tiledOps.back());
  }
  FailureOr<scf::SCFTilingResult> tiled = tileLevel(rewriter, op, cache);
  if (failed(tiled))
    return failure();
  tiled->tiledOps.back()->setAttr(kPanelAttr, rewriter.getUnitAttr());
  peelLoops(rewriter, *tiled);
  return success();
}

bool mlir::norm::isContractionPanel(linalg::LinalgOp op) {
  return op->hasAttr(kPanelAttr);
}

LogicalResult mlir::norm::tileContractionPanel(
    RewriterBase &rewriter, linalg::LinalgOp op,
    const ContractionBlocks &blocks,
    function_ref<LogicalResult(linalg::LinalgOp)> onCopy) {
  op->removeAttr(kPanelAttr);
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  assert(succeeded(dims) && "expects a blockable contraction");
  int64_t rank = op.getNumLoops();
  if (OpOperand *panel = getPanelOperand(op, *dims))
    if (failed(onCopy(packOperand(rewriter, *panel))))
      return failure();
  int64_t m = dims->m.back(), k = dims->k.back();
  TilingLevel regs{SmallVector<int64_t>(rank, 1),
                   getLoopOrder(rank, *dims, {m, k})};
  regs.sizes[m] = blocks.rows;
  regs.sizes[dims->n.back()] = 0; // At most `cols` after the cache level.
  FailureOr<scf::SCFTilingResult> tiled = tileLevel(rewriter, op, regs);
  if (failed(tiled))
    return failure();
  peelLoops(rewriter, *tiled);
  return success();
}
