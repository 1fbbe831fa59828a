//===- NormToGPU.cpp - norm ops as row-parallel GPU kernels ---------------===//
//
// A norm reads each row once and writes it once, so on a GPU its speed limit
// is HBM bandwidth. Each norm op becomes one gpu.launch in which a row is
// owned by one warp (short rows) or one block (long rows):
//   - every lane loads its part of the row with 16-byte vector loads, in
//     chunks strided by the lane count so that a warp's loads coalesce;
//   - when the row is static and short enough the chunks stay in registers,
//     so x is read from memory once; otherwise each pass streams the row;
//   - per-lane partial sums (in the compute type) are combined with warp
//     shuffles and, across the warps of a block, through shared memory;
//   - a centered op's (LayerNorm's) variance is a second, centered pass over
//     the registers.
// The arithmetic comes from the shared numerics (Dialect/Norm/Utils).
// The row view is a collapse of the trailing (normalized) dims, so
// norm-trailing-axes must run first for ops normalizing other axes.
//
// Upstream's linalg-to-GPU mapping gives one thread per row (or a generic
// gpu.all_reduce per row) and cannot keep the row in registers, hence this
// conversion.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/NormToGPU/NormToGPU.h"
#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Utils/Numerics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "convert-norm-to-gpu"

namespace mlir::norm {
#define GEN_PASS_DEF_CONVERTNORMTOGPU
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

namespace {
constexpr int64_t kWarpSize = 32;
constexpr int64_t kVectorBytes = 16;

/// How the threads of a launch share the rows.
struct KernelShape {
  int64_t lanes;        // threads cooperating on one row
  int64_t rowsPerBlock; // 1 (block per row) or threadsPerBlock / 32
  int64_t vectorWidth;  // elements per load
  int64_t chunks;       // vectors per lane kept in registers; 0: streamed
};

KernelShape chooseShape(int64_t features, unsigned elementBits,
                        const NormGPUKernelOptions &options) {
  KernelShape shape;
  // 16-byte loads need every row to start 16-byte aligned.
  shape.vectorWidth = 1;
  if (!ShapedType::isDynamic(features)) {
    shape.vectorWidth = std::max<int64_t>(kVectorBytes * 8 / elementBits, 1);
    while (features % shape.vectorWidth != 0)
      shape.vectorWidth /= 2;
  }
  int64_t warpRow = kWarpSize * shape.vectorWidth;
  bool shortRow = !ShapedType::isDynamic(features) &&
                  features <= warpRow * options.maxVectorsPerLane;
  shape.lanes = shortRow ? kWarpSize : options.threadsPerBlock;
  shape.rowsPerBlock = shortRow ? options.threadsPerBlock / kWarpSize : 1;
  shape.chunks = 0;
  if (!ShapedType::isDynamic(features) && features > 0) {
    int64_t chunks =
        llvm::divideCeil(features, shape.lanes * shape.vectorWidth);
    if (chunks * shape.vectorWidth <= options.maxElementsPerThread)
      shape.chunks = chunks;
  }
  return shape;
}

/// Collapses `value` (a tensor or an identity-layout memref) by `groups`. A
/// group with a dynamic dim collapses to a dynamic dim even when another of
/// its dims is 0, as the verifiers require.
Value collapse(OpBuilder &b, Location loc, Value value,
               ArrayRef<ReassociationIndices> groups) {
  auto type = cast<ShapedType>(value.getType());
  SmallVector<int64_t> shape;
  for (const ReassociationIndices &group : groups) {
    int64_t size = 1;
    for (int64_t dim : group)
      size = ShapedType::isDynamic(size) || type.isDynamicDim(dim)
                 ? ShapedType::kDynamic
                 : size * type.getDimSize(dim);
    shape.push_back(size);
  }
  if (isa<RankedTensorType>(type))
    return tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), value,
        groups);
  return memref::CollapseShapeOp::create(
      b, loc, MemRefType::get(shape, type.getElementType()), value, groups);
}

/// A parameter with every dim either the input's or 1 for all of them
/// (then it is a scalar): one that broadcasts along some dims only is
/// materialized at the input's normalized shape.
Value flattenParameter(OpBuilder &b, Location loc, Value param, Value input,
                       ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(param.getType());
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  bool allOnes =
      llvm::all_of(type.getShape(), [](int64_t size) { return size == 1; });
  bool broadcasts = false;
  for (auto [k, axis] : llvm::enumerate(axes))
    broadcasts |= type.getDimSize(k) == 1 && inputType.getDimSize(axis) != 1;
  if (!allOnes && broadcasts) {
    // Copy the parameter to the full normalized shape.
    SmallVector<OpFoldResult> sizes;
    SmallVector<AffineExpr> exprs;
    for (auto [k, axis] : llvm::enumerate(axes)) {
      sizes.push_back(tensor::getMixedSize(b, loc, input, axis));
      exprs.push_back(type.getDimSize(k) == 1 ? b.getAffineConstantExpr(0)
                                              : b.getAffineDimExpr(k));
    }
    Value init = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, exprs, b.getContext()),
        b.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    param = linalg::GenericOp::create(
                b, loc, init.getType(), param, init, maps, iterators,
                [](OpBuilder &nb, Location nloc, ValueRange args) {
                  linalg::YieldOp::create(nb, nloc, args[0]);
                })
                .getResult(0);
  }
  return param;
}

Value toReadOnlyBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*readOnly=*/true);
}

/// Builds the body of one launch: the code one thread runs for its row.
class RowKernelBuilder {
public:
  RowKernelBuilder(ImplicitLocOpBuilder &b, const KernelShape &shape,
                   FloatType computeType, Value input, Value output,
                   Value features)
      : b(b), shape(shape), computeType(computeType), input(input),
        output(output), features(features) {
    auto inputType = cast<MemRefType>(input.getType());
    elementType = cast<FloatType>(inputType.getElementType());
    staticFeatures = inputType.getDimSize(1);
  }

  void setSharedMemory(Value memory) { sharedMemory = memory; }

  /// Loads the lane's chunks of `row` into registers (register mode).
  void loadRow(Value row, Value lane) {
    this->row = row;
    this->lane = lane;
    if (shape.chunks == 0)
      return;
    for (int64_t k = 0; k < shape.chunks; ++k) {
      Value col = chunkColumn(k);
      Value inRange;
      if ((k + 1) * shape.lanes * shape.vectorWidth > staticFeatures)
        inRange =
            b.create<arith::CmpIOp>(arith::CmpIPredicate::ult, col, features);
      columns.push_back(col);
      inRanges.push_back(inRange);
      chunkValues.push_back(guardedLoad(inRange, col));
    }
  }

  /// Sums `term(x, inRange)` over the row (all lanes get the total); `term`
  /// gets x in the compute type and must return zero where !inRange (null
  /// inRange: every element is in range).
  Value reduceRow(function_ref<Value(Value x, Value inRange)> term, int slot) {
    VectorType vectorType = computeVectorType();
    Value acc = zeroVector(vectorType);
    if (shape.chunks > 0) {
      for (auto [x, inRange] : llvm::zip(chunkValues, inRanges))
        acc = b.create<arith::AddFOp>(acc, term(toCompute(x), inRange));
    } else {
      auto loop = b.create<scf::ForOp>(
          firstColumn(), features, b.create<arith::ConstantIndexOp>(stride()),
          ValueRange{acc});
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value col = loop.getInductionVar();
      Value x = load(input, col, elementType);
      Value sum = b.create<arith::AddFOp>(loop.getRegionIterArgs()[0],
                                          term(toCompute(x), Value()));
      b.create<scf::YieldOp>(sum);
      b.setInsertionPointAfter(loop);
      acc = loop.getResult(0);
    }
    Value partial =
        b.create<vector::ReductionOp>(vector::CombiningKind::ADD, acc);
    return allReduce(partial, slot);
  }

  /// Writes `normalize(x, col)` (compute type in and out) for every element.
  void writeRow(function_ref<Value(Value x, Value col)> normalize) {
    auto store = [&](Value x, Value col) {
      Value y = fromCompute(normalize(toCompute(x), col));
      b.create<vector::StoreOp>(y, output, ValueRange{row, col},
                                /*nontemporal=*/false, vectorAlignment());
    };
    if (shape.chunks > 0) {
      for (auto [x, col, inRange] : llvm::zip(chunkValues, columns, inRanges)) {
        if (!inRange) {
          store(x, col);
          continue;
        }
        auto ifOp = b.create<scf::IfOp>(inRange, /*withElse=*/false);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        store(x, col);
      }
      return;
    }
    auto loop = b.create<scf::ForOp>(
        firstColumn(), features, b.create<arith::ConstantIndexOp>(stride()));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value col = loop.getInductionVar();
    store(load(input, col, elementType), col);
  }

  /// The parameter's elements for the vector at `col`, in the compute type.
  /// A [1] parameter broadcasts.
  Value loadParameter(Value param, Value col) {
    auto type = cast<MemRefType>(param.getType());
    auto paramType = cast<FloatType>(type.getElementType());
    Value values;
    if (type.getDimSize(0) == 1) {
      Value zero = b.create<arith::ConstantIndexOp>(0);
      Value scalar = b.create<memref::LoadOp>(param, ValueRange{zero});
      values = b.create<vector::BroadcastOp>(
          VectorType::get({shape.vectorWidth}, paramType), scalar);
    } else {
      values = b.create<vector::LoadOp>(
          VectorType::get({shape.vectorWidth}, paramType), param,
          ValueRange{col}, /*nontemporal=*/false,
          llvm::MaybeAlign(shape.vectorWidth * paramType.getWidth() / 8));
    }
    return convert(values, computeVectorType());
  }

  /// Elementwise rsqrt(max(v + eps, tiny)), v and eps vectors of the compute
  /// type. Scalarized: libdevice's rsqrt is scalar.
  Value inverseRoot(Value v, Value eps) {
    Value clamped = createClampedMoment(b, b.getLoc(), v, eps);
    SmallVector<Value> lanes;
    for (int64_t i = 0; i < shape.vectorWidth; ++i)
      lanes.push_back(b.create<math::RsqrtOp>(
          b.create<vector::ExtractOp>(clamped, ArrayRef<int64_t>{i})));
    return b.create<vector::FromElementsOp>(computeVectorType(), lanes);
  }

  /// rsqrt(max(moment + eps, tiny)) of a scalar moment, as a vector.
  Value inverseRoot(Value moment, double eps) {
    return broadcast(createInverseRoot(
        b, b.getLoc(), moment,
        createFloatConstant(b, b.getLoc(), computeType, eps)));
  }

  Value splat(double value) {
    return b.create<arith::ConstantOp>(DenseElementsAttr::get(
        computeVectorType(), b.getFloatAttr(computeType, value)));
  }

  Value broadcast(Value scalar) {
    return b.create<vector::BroadcastOp>(computeVectorType(), scalar);
  }

  Value zeroVector(VectorType type) {
    return b.create<arith::ConstantOp>(
        DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
  }

  /// Zeroes the vector `v` where `inRange` is false.
  Value maskOut(Value v, Value inRange) {
    if (!inRange)
      return v;
    return b.create<arith::SelectOp>(inRange, v,
                                     zeroVector(cast<VectorType>(v.getType())));
  }

private:
  int64_t stride() const { return shape.lanes * shape.vectorWidth; }

  Value firstColumn() {
    return b.create<arith::MulIOp>(
        lane, b.create<arith::ConstantIndexOp>(shape.vectorWidth));
  }

  Value chunkColumn(int64_t k) {
    return b.create<arith::AddIOp>(
        firstColumn(), b.create<arith::ConstantIndexOp>(k * stride()));
  }

  VectorType computeVectorType() const {
    return VectorType::get({shape.vectorWidth}, computeType);
  }

  llvm::MaybeAlign vectorAlignment() {
    return llvm::MaybeAlign(shape.vectorWidth * elementType.getWidth() / 8);
  }

  Value load(Value memref, Value col, FloatType type) {
    return b.create<vector::LoadOp>(VectorType::get({shape.vectorWidth}, type),
                                    memref, ValueRange{row, col},
                                    /*nontemporal=*/false, vectorAlignment());
  }

  Value guardedLoad(Value inRange, Value col) {
    if (!inRange)
      return load(input, col, elementType);
    auto vectorType = VectorType::get({shape.vectorWidth}, elementType);
    auto ifOp = b.create<scf::IfOp>(TypeRange{vectorType}, inRange,
                                    /*withElse=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    b.create<scf::YieldOp>(load(input, col, elementType));
    b.setInsertionPointToStart(ifOp.elseBlock());
    b.create<scf::YieldOp>(zeroVector(vectorType));
    return ifOp.getResult(0);
  }

  Value convert(Value v, VectorType to) {
    return convertFloat(b, b.getLoc(), v, cast<FloatType>(to.getElementType()));
  }

  Value toCompute(Value v) { return convert(v, computeVectorType()); }
  Value fromCompute(Value v) {
    return convert(v, VectorType::get({shape.vectorWidth}, elementType));
  }

  /// Butterfly sum over the 32 lanes of a warp.
  Value warpReduce(Value v) {
    // Shuffles move 32 bits: f16/bf16 partial sums travel as (exact) f32.
    Type type = v.getType();
    bool narrow = type.getIntOrFloatBitWidth() < 32;
    for (int32_t offset = kWarpSize / 2; offset > 0; offset /= 2) {
      Value moved = narrow ? b.create<arith::ExtFOp>(b.getF32Type(), v) : v;
      auto shuffle = b.create<gpu::ShuffleOp>(moved, offset, kWarpSize,
                                              gpu::ShuffleMode::XOR);
      Value other = shuffle.getShuffleResult();
      if (narrow)
        other = b.create<arith::TruncFOp>(type, other);
      v = b.create<arith::AddFOp>(v, other);
    }
    return v;
  }

  /// Sum over the lanes of the row; `slot` picks a separate shared-memory
  /// area per reduction so that consecutive reductions need one barrier each.
  Value allReduce(Value v, int slot) {
    v = warpReduce(v);
    int64_t warps = shape.lanes / kWarpSize;
    if (warps == 1)
      return v;
    Value warpSize = b.create<arith::ConstantIndexOp>(kWarpSize);
    Value warp = b.create<arith::DivUIOp>(lane, warpSize);
    Value laneInWarp = b.create<arith::RemUIOp>(lane, warpSize);
    Value base = b.create<arith::ConstantIndexOp>(slot * kWarpSize);
    Value zero = b.create<arith::ConstantIndexOp>(0);
    Value isFirst =
        b.create<arith::CmpIOp>(arith::CmpIPredicate::eq, laneInWarp, zero);
    {
      auto ifOp = b.create<scf::IfOp>(isFirst, /*withElse=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      b.create<memref::StoreOp>(
          v, sharedMemory, ValueRange{b.create<arith::AddIOp>(base, warp)});
    }
    b.create<gpu::BarrierOp>();
    Value hasPartial =
        b.create<arith::CmpIOp>(arith::CmpIPredicate::ult, laneInWarp,
                                b.create<arith::ConstantIndexOp>(warps));
    auto ifOp = b.create<scf::IfOp>(TypeRange{computeType}, hasPartial,
                                    /*withElse=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      b.create<scf::YieldOp>(ValueRange{b.create<memref::LoadOp>(
          sharedMemory,
          ValueRange{b.create<arith::AddIOp>(base, laneInWarp)})});
      b.setInsertionPointToStart(ifOp.elseBlock());
      b.create<scf::YieldOp>(ValueRange{b.create<arith::ConstantOp>(
          computeType, b.getFloatAttr(computeType, 0.0))});
    }
    return warpReduce(ifOp.getResult(0));
  }

  ImplicitLocOpBuilder &b;
  KernelShape shape;
  FloatType computeType;
  FloatType elementType;
  Value input, output, features, sharedMemory;
  int64_t staticFeatures;
  Value row, lane;
  SmallVector<Value> chunkValues, columns, inRanges;
};

/// Whether `op` normalizes the trailing dims of its input (the kernels view
/// rows as a collapse of them).
bool hasTrailingAxes(NormalizationOpInterface op) {
  int64_t rank = op.getInputType().getRank();
  int64_t numKept = op.getKeptDims().size();
  return llvm::equal(op.getCanonicalAxes(), llvm::seq<int64_t>(numKept, rank));
}

/// Any normalization op on its trailing dims as one row kernel launch.
struct NormToGPULaunch
    : public OpInterfaceConversionPattern<NormalizationOpInterface> {
  NormToGPULaunch(MLIRContext *context, const NormGPUKernelOptions &options)
      : OpInterfaceConversionPattern(context), options(options) {}

  LogicalResult
  matchAndRewrite(NormalizationOpInterface op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!hasTrailingAxes(op))
      return rewriter.notifyMatchFailure(
          op, "normalized axes are not the trailing dims");
    RankedTensorType inputType = op.getInputType();
    SmallVector<int64_t> axes = op.getCanonicalAxes();
    int64_t numKept = op.getKeptDims().size();

    Location loc = op.getLoc();
    FloatType computeType = op.getEffectiveComputeType();
    auto elementType = cast<FloatType>(inputType.getElementType());

    // A fused residual op normalizes the sum, computed first by a linalg
    // op (mapped to GPU threads like the other linalg ops).
    Value normalized = op.getInput();
    if (op.hasResidual())
      normalized =
          createResidualSum(rewriter, loc, op.getInput(), op.getResidual(),
                            op.getResidualScale().convertToDouble());

    // Host side: [rows, features] views of buffers. Tensors are reshaped
    // as buffers: bufferizing tensor.collapse_shape gets groups of a 0 and
    // a dynamic dim wrong.
    Value input = collapseBufferToRows(
        rewriter, loc, toReadOnlyBuffer(rewriter, loc, normalized), numKept);
    auto rowsType = cast<MemRefType>(input.getType());
    KernelShape shape =
        chooseShape(rowsType.getDimSize(1), elementType.getWidth(), options);
    LLVM_DEBUG(llvm::dbgs()
               << "[" DEBUG_TYPE "] " << op->getName() << " at " << loc << ": "
               << shape.lanes << " lanes per row, " << shape.rowsPerBlock
               << " rows per block, vectors of " << shape.vectorWidth << ", "
               << (shape.chunks ? std::to_string(shape.chunks) +
                                      " chunks per lane in registers"
                                : std::string("row streamed"))
               << "\n");
    auto flatParam = [&](Value param) -> Value {
      if (!param)
        return {};
      Value buffer = toReadOnlyBuffer(
          rewriter, loc,
          flattenParameter(rewriter, loc, param, op.getInput(), axes));
      return collapseBufferToRows(rewriter, loc, buffer, /*numKept=*/0,
                                  /*withRowDim=*/false);
    };
    Value scale = flatParam(op.getScale());
    Value bias = flatParam(op.getBias());
    Value featureEpsilon = flatParam(op.getFeatureEpsilon());

    Value numRows = memref::DimOp::create(rewriter, loc, input, 0);
    Value features = memref::DimOp::create(rewriter, loc, input, 1);
    // Results are allocated in their own shapes and viewed as rows: with
    // dynamic dims, expanding a row buffer back is what
    // expand-strided-metadata cannot do.
    auto allocLike = [&](ArrayRef<int64_t> shape, Type type) {
      SmallVector<Value> sizes;
      for (auto [dim, size] : llvm::enumerate(shape))
        if (ShapedType::isDynamic(size))
          sizes.push_back(
              tensor::DimOp::create(rewriter, loc, op.getInput(), dim));
      return memref::AllocOp::create(rewriter, loc,
                                     MemRefType::get(shape, type), sizes)
          .getResult();
    };
    Value outputBuffer = allocLike(inputType.getShape(), elementType);
    Value output = collapseBufferToRows(rewriter, loc, outputBuffer, numKept);
    SmallVector<Value> statisticsBuffers, statistics;
    for (Value result : op.getStatistics()) {
      auto type = cast<RankedTensorType>(result.getType());
      statisticsBuffers.push_back(allocLike(type.getShape(), computeType));
      statistics.push_back(collapseBufferToRows(rewriter, loc,
                                                statisticsBuffers.back(),
                                                /*numKept=*/type.getRank()));
    }

    // Launch only when there are rows: an empty grid is a launch error.
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value hasRows = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::ugt, numRows, zero);
    auto ifOp = scf::IfOp::create(rewriter, loc, hasRows, /*withElse=*/false);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(ifOp.thenBlock());
      ImplicitLocOpBuilder b(loc, rewriter);
      buildLaunch(b, op, shape, computeType, input, output, scale, bias,
                  featureEpsilon, statistics, numRows, features);
    }

    SmallVector<Value> results;
    results.push_back(bufferization::ToTensorOp::create(
        rewriter, loc, inputType, outputBuffer, /*restrict=*/true,
        /*writable=*/true));
    if (op.hasResidual())
      results.push_back(normalized);
    for (auto [buffer, result] :
         llvm::zip(statisticsBuffers, op.getStatistics()))
      results.push_back(bufferization::ToTensorOp::create(
          rewriter, loc, result.getType(), buffer, /*restrict=*/true,
          /*writable=*/true));
    rewriter.replaceOp(op, results);
    return success();
  }

private:
  /// Views a buffer as [rows, features] when its trailing dims from
  /// `numKept` on are the features ([features] without `withRowDim` when
  /// numKept is 0), or as [rows] when numKept is its rank.
  static Value collapseBufferToRows(OpBuilder &b, Location loc, Value buffer,
                                    int64_t numKept, bool withRowDim = true) {
    int64_t rank = cast<MemRefType>(buffer.getType()).getRank();
    SmallVector<ReassociationIndices> groups;
    if (numKept == rank) {
      groups.push_back(llvm::to_vector(llvm::seq<int64_t>(0, rank)));
    } else {
      if (numKept > 0)
        groups.push_back(llvm::to_vector(llvm::seq<int64_t>(0, numKept)));
      groups.push_back(llvm::to_vector(llvm::seq<int64_t>(numKept, rank)));
    }
    if (static_cast<int64_t>(groups.size()) != rank)
      buffer = collapse(b, loc, buffer, groups);
    if (numKept > 0 || numKept == rank || !withRowDim)
      return buffer;
    // No kept dims: one row.
    auto flatType = cast<MemRefType>(buffer.getType());
    return memref::ExpandShapeOp::create(
        b, loc,
        MemRefType::get({1, flatType.getDimSize(0)}, flatType.getElementType()),
        buffer, {{0, 1}},
        {b.getIndexAttr(1), memref::getMixedSize(b, loc, buffer, 0)});
  }

  void buildLaunch(ImplicitLocOpBuilder &b, NormalizationOpInterface op,
                   const KernelShape &shape, FloatType computeType, Value input,
                   Value output, Value scale, Value bias, Value featureEpsilon,
                   ArrayRef<Value> statistics, Value numRows,
                   Value features) const {
    Value one = b.create<arith::ConstantIndexOp>(1);
    Value rowsPerBlock = b.create<arith::ConstantIndexOp>(shape.rowsPerBlock);
    Value gridSize = shape.rowsPerBlock == 1
                         ? numRows
                         : b.create<arith::CeilDivUIOp>(numRows, rowsPerBlock);
    // Cross-warp partial sums go through dynamic shared memory: a workgroup
    // attribution would be a memref block argument, which buffer
    // deallocation then tries to take ownership of.
    int64_t warps = shape.lanes / kWarpSize;
    int64_t sharedBytes =
        warps > 1 ? 2 * kWarpSize * computeType.getWidth() / 8 : 0;
    Value sharedSize;
    if (sharedBytes > 0)
      sharedSize = b.create<arith::ConstantIntOp>(b.getI32Type(), sharedBytes);
    auto launch = b.create<gpu::LaunchOp>(
        gridSize, one, one, b.create<arith::ConstantIndexOp>(shape.lanes),
        rowsPerBlock, one, sharedSize);
    OpBuilder::InsertionGuard guard(b);
    Block &body = launch.getBody().front();
    b.setInsertionPointToStart(&body);
    b.create<gpu::TerminatorOp>();
    b.setInsertionPointToStart(&body);
    Value sharedMemory;
    if (sharedBytes > 0) {
      auto workgroup = gpu::AddressSpaceAttr::get(b.getContext(),
                                                  gpu::AddressSpace::Workgroup);
      Value bytes = b.create<gpu::DynamicSharedMemoryOp>(
          MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                          MemRefLayoutAttrInterface(), workgroup));
      sharedMemory = b.create<memref::ViewOp>(
          MemRefType::get({2 * kWarpSize}, computeType,
                          MemRefLayoutAttrInterface(), workgroup),
          bytes, b.create<arith::ConstantIndexOp>(0), ValueRange{});
    }

    Value lane = launch.getThreadIds().x;
    Value row = launch.getBlockIds().x;
    if (shape.rowsPerBlock > 1) {
      row = b.create<arith::AddIOp>(b.create<arith::MulIOp>(row, rowsPerBlock),
                                    launch.getThreadIds().y);
      // Whole warps take this branch or skip it, so shuffles stay uniform.
      Value inBounds =
          b.create<arith::CmpIOp>(arith::CmpIPredicate::ult, row, numRows);
      auto ifOp = b.create<scf::IfOp>(inBounds, /*withElse=*/false);
      b.setInsertionPointToStart(ifOp.thenBlock());
    }

    RowKernelBuilder kernel(b, shape, computeType, input, output, features);
    kernel.setSharedMemory(sharedMemory);
    kernel.loadRow(row, lane);
    Value invCount = createInverseCount(b, b.getLoc(), features, computeType);
    double epsilon = op.getEpsilon().convertToDouble();

    // Mean (centered ops) and the second moment about it.
    bool centered = op.isCentered();
    Value mean;
    if (centered) {
      Value sum = kernel.reduceRow([](Value x, Value) { return x; }, 0);
      mean = b.create<arith::MulFOp>(sum, invCount);
    }
    Value meanVector = mean ? kernel.broadcast(mean) : Value();
    Value sumOfSquares = kernel.reduceRow(
        [&](Value x, Value inRange) {
          return kernel.maskOut(
              createSquaredDeviation(b, b.getLoc(), x, meanVector), inRange);
        },
        centered ? 1 : 0);
    Value moment = b.create<arith::MulFOp>(sumOfSquares, invCount);
    Value momentVector = kernel.broadcast(moment);
    Value inv;
    if (!featureEpsilon)
      inv = kernel.inverseRoot(moment, epsilon);

    kernel.writeRow([&](Value x, Value col) {
      Value factor =
          inv ? inv
              : kernel.inverseRoot(momentVector,
                                   kernel.loadParameter(featureEpsilon, col));
      Value y = meanVector ? b.create<arith::SubFOp>(x, meanVector) : x;
      Value xhat = b.create<arith::MulFOp>(y, factor);
      return createAffine(b, b.getLoc(), xhat,
                          scale ? kernel.loadParameter(scale, col) : Value(),
                          bias ? kernel.loadParameter(bias, col) : Value(),
                          op.getScaleOffset(), op.getAffineRoundingType());
    });

    if (!statistics.empty()) {
      Value zero = b.create<arith::ConstantIndexOp>(0);
      Value isFirst =
          b.create<arith::CmpIOp>(arith::CmpIPredicate::eq, lane, zero);
      auto ifOp = b.create<scf::IfOp>(isFirst, /*withElse=*/false);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value invScalar = b.create<vector::ExtractOp>(inv, ArrayRef<int64_t>{0});
      if (mean) {
        b.create<memref::StoreOp>(mean, statistics[0], ValueRange{row});
        b.create<memref::StoreOp>(invScalar, statistics[1], ValueRange{row});
      } else {
        b.create<memref::StoreOp>(invScalar, statistics[0], ValueRange{row});
      }
    }
  }

  NormGPUKernelOptions options;
};

struct ConvertNormToGPUPass
    : public norm::impl::ConvertNormToGPUBase<ConvertNormToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threadsPerBlock <= 0 || threadsPerBlock % kWarpSize != 0 ||
        threadsPerBlock > 1024) {
      getOperation()->emitError("threads-per-block must be a multiple of 32 "
                                "in [32, 1024], got ")
          << threadsPerBlock.getValue();
      return signalPassFailure();
    }
    NormGPUKernelOptions options;
    options.threadsPerBlock = threadsPerBlock;
    options.maxElementsPerThread = maxElementsPerThread;
    WalkResult result = getOperation()->walk([](NormalizationOpInterface op) {
      if (hasTrailingAxes(op))
        return WalkResult::advance();
      op->emitOpError("normalizes axes that are not the trailing dims; "
                      "run norm-trailing-axes before convert-norm-to-gpu");
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    ConversionTarget target(getContext());
    // Forward ops become row kernels; gradient ops are left to
    // convert-norm-to-linalg.
    target.addDynamicallyLegalDialect<NormDialect>(
        [](Operation *op) { return !isa<NormalizationOpInterface>(op); });
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateNormToGPUPatterns(patterns, options);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    // The kernels synchronize with gpu.barrier; the passes after this one
    // (hoisting, CSE) must see that it orders memory.
    registerGPUBarrierMemoryEffects(registry);
  }
};
} // namespace

void mlir::norm::populateNormToGPUPatterns(
    RewritePatternSet &patterns, const NormGPUKernelOptions &options) {
  patterns.add<NormToGPULaunch>(patterns.getContext(), options);
}
