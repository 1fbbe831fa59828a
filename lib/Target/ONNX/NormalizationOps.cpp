//===- NormalizationOps.cpp - ONNX normalizations to norm ops -------------===//
//
// LayerNormalization (opset 17) and RMSNormalization (opset 23) normalize
// over the dims from `axis` to the last: norm.layer_norm / norm.rms_norm with
// those `axes`, `epsilon` and `compute_type` from `stash_type`.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "norm/Dialect/Norm/IR/NormOps.h"

using namespace mlir;
using namespace mlir::norm::onnx_import;

namespace {
/// The compute type from `stash_type` (absent: the op's default), or an
/// error when ONNX's type is not one norm computes in or is narrower than
/// the input.
FailureOr<FloatType> getComputeType(NodeImporter &node, Type inputType) {
  const onnx::AttributeProto *stashType = node.getAttr("stash_type");
  if (!stashType)
    return FloatType();
  auto type = dyn_cast_or_null<FloatType>(
      getElementType(inputType.getContext(), stashType->i()));
  if (!type) {
    node.emitError() << "unsupported stash_type " << stashType->i();
    return failure();
  }
  if (type.getWidth() < cast<FloatType>(inputType).getWidth()) {
    node.emitError() << "stash_type " << type
                     << " is narrower than the input's " << inputType;
    return failure();
  }
  return type;
}

template <typename NormOp>
LogicalResult convertNormalization(NodeImporter &node) {
  Value input = node.getOperand(0);
  if (!input)
    return failure();
  auto type = cast<RankedTensorType>(input.getType());
  if (!isa<FloatType>(type.getElementType()))
    return node.emitError() << "expects a float input, got " << type;
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getIntAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(*axis, rank));

  Value scale, bias;
  if (node.hasOperand(1) && !(scale = node.getOperand(1)))
    return failure();
  if (NormOp::isCentered() && node.hasOperand(2) &&
      !(bias = node.getOperand(2)))
    return failure();
  for (Value param : {scale, bias})
    if (param && cast<RankedTensorType>(param.getType()).getRank() !=
                     static_cast<int64_t>(axes.size()))
      return node.emitError()
             << "expects scale and bias of rank " << axes.size()
             << " (one dim per normalized axis), got " << param.getType();

  unsigned numStatistics = 0;
  for (unsigned i = 1; i < node.getNumResults(); ++i)
    if (node.hasResult(i))
      numStatistics = NormOp::getNumStatistics();
  if (node.getNumResults() > 1 + NormOp::getNumStatistics())
    return node.emitError() << "expects at most "
                            << 1 + NormOp::getNumStatistics() << " results";

  FailureOr<FloatType> computeType =
      getComputeType(node, type.getElementType());
  if (failed(computeType))
    return failure();
  // ONNX's default epsilon (1e-5 for both) is not RMSNorm's: always set it.
  double epsilon = node.getFloatAttr("epsilon", 1e-5);
  auto op = NormOp::create(node.getBuilder(), node.getLoc(), input, axes,
                           epsilon, scale, bias, /*featureEpsilon=*/Value(),
                           /*withStatistics=*/numStatistics != 0, *computeType);
  for (auto [i, result] : llvm::enumerate(op->getResults()))
    node.setResult(i, result);
  return success();
}
} // namespace

void mlir::norm::onnx_import::addNormalizationConverters(
    ConverterTable &table) {
  table["LayerNormalization"] = convertNormalization<LayerNormOp>;
  table["RMSNormalization"] = convertNormalization<RMSNormOp>;
}
