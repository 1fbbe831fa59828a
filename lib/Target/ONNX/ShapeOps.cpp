//===- ShapeOps.cpp - ONNX shape, layout and constant ops -----------------===//
//
// Transpose, Reshape, Unsqueeze/Squeeze, Concat, Slice and Gather become
// linalg/tensor ops; on integer tensors known while importing (shapes and
// what the exporter computes from them) they fold, so that Shape-derived
// shape computations leave constants behind.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <numeric>

using namespace mlir;
using namespace mlir::norm::onnx_import;

namespace {
RankedTensorType getType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// The operand's contents when it is an integer constant, for folding.
DenseElementsAttr getIntConstant(NodeImporter &node, unsigned i) {
  DenseElementsAttr attr = node.getConstantOperand(i);
  return attr && isa<IntegerType>(attr.getElementType()) ? attr
                                                         : DenseElementsAttr();
}

SmallVector<APInt> getElements(DenseElementsAttr attr) {
  return llvm::to_vector(attr.getValues<APInt>());
}

/// Axes from the attribute (before `operandOpset`) or operand 1.
FailureOr<SmallVector<int64_t>> getAxes(NodeImporter &node,
                                        int64_t operandOpset) {
  if (node.getOpset() < operandOpset) {
    if (std::optional<SmallVector<int64_t>> axes = node.getIntsAttr("axes"))
      return *axes;
    return SmallVector<int64_t>();
  }
  if (!node.hasOperand(1))
    return SmallVector<int64_t>();
  return node.getIntsOperand(1, "axes");
}

LogicalResult normalizeAxes(NodeImporter &node, SmallVectorImpl<int64_t> &axes,
                            int64_t rank) {
  for (int64_t &axis : axes) {
    FailureOr<int64_t> normalized = node.normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  if (llvm::adjacent_find(axes) != axes.end())
    return node.emitError() << "repeats an axis";
  return success();
}

LogicalResult convertConstant(NodeImporter &node) {
  OpBuilder &b = node.getBuilder();
  const onnx::AttributeProto *attr = nullptr;
  for (llvm::StringRef name :
       {"value", "value_float", "value_floats", "value_int", "value_ints"})
    if ((attr = node.getAttr(name)))
      break;
  if (!attr)
    return node.emitError() << "supports only value, value_float(s) and "
                               "value_int(s)";
  DenseElementsAttr value;
  llvm::StringRef name = attr->name();
  if (name == "value") {
    FailureOr<DenseElementsAttr> tensor =
        getTensorAttr(attr->t(), node.getLoc());
    if (failed(tensor))
      return failure();
    value = *tensor;
  } else if (name == "value_float") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   attr->f());
  } else if (name == "value_floats") {
    SmallVector<float> floats(attr->floats().begin(), attr->floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(floats.size())},
                              b.getF32Type()),
        ArrayRef<float>(floats));
  } else if (name == "value_int") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   static_cast<int64_t>(attr->i()));
  } else {
    SmallVector<int64_t> ints(attr->ints().begin(), attr->ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(ints.size())},
                              b.getI64Type()),
        ArrayRef<int64_t>(ints));
  }
  node.setConstantResult(0, value);
  return success();
}

LogicalResult convertIdentity(NodeImporter &node) {
  if (DenseElementsAttr constant = node.getConstantOperand(0)) {
    node.setConstantResult(0, constant);
    return success();
  }
  Value input = node.getOperand(0);
  if (!input)
    return failure();
  node.setResult(0, input);
  return success();
}

/// The static shape as an i64 constant (dims from `start` to `end`).
LogicalResult convertShape(NodeImporter &node) {
  Value input = node.getOperand(0);
  if (!input)
    return failure();
  RankedTensorType type = getType(input);
  int64_t rank = type.getRank();
  auto clamp = [&](int64_t dim) {
    return std::clamp<int64_t>(dim < 0 ? dim + rank : dim, 0, rank);
  };
  int64_t start = clamp(node.getIntAttr("start", 0));
  int64_t end = std::max(start, clamp(node.getIntAttr("end", rank)));
  ArrayRef<int64_t> shape = type.getShape().slice(start, end - start);
  if (ShapedType::isDynamicShape(shape))
    return node.emitError() << "supports only static shapes, got " << type;
  OpBuilder &b = node.getBuilder();
  node.setConstantResult(
      0, DenseElementsAttr::get(
             RankedTensorType::get({static_cast<int64_t>(shape.size())},
                                   b.getI64Type()),
             shape));
  return success();
}

/// A constant of `shape` filled with `value` (a one-element tensor; default
/// f32 zero).
LogicalResult convertConstantOfShape(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> shape = node.getIntsOperand(0, "the shape");
  if (failed(shape))
    return failure();
  OpBuilder &b = node.getBuilder();
  Attribute element = b.getF32FloatAttr(0);
  if (const onnx::AttributeProto *attr = node.getAttr("value")) {
    FailureOr<DenseElementsAttr> tensor =
        getTensorAttr(attr->t(), node.getLoc());
    if (failed(tensor))
      return failure();
    if (tensor->getNumElements() != 1)
      return node.emitError() << "expects a one-element value";
    element = *tensor->value_begin<Attribute>();
  }
  auto type = RankedTensorType::get(*shape, cast<TypedAttr>(element).getType());
  node.setConstantResult(0, DenseElementsAttr::get(type, element));
  return success();
}

LogicalResult convertTranspose(NodeImporter &node) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Value input = node.getOperand(0);
  if (!input)
    return failure();
  RankedTensorType type = getType(input);
  int64_t rank = type.getRank();
  SmallVector<int64_t> perm =
      llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank)));
  if (std::optional<SmallVector<int64_t>> attr = node.getIntsAttr("perm"))
    perm = *attr;
  SmallVector<int64_t> sorted = perm;
  llvm::sort(sorted);
  if (sorted != llvm::to_vector(llvm::seq<int64_t>(0, rank)))
    return node.emitError()
           << "perm is not a permutation of the " << rank << " dims";
  SmallVector<OpFoldResult> inputSizes = getSizes(b, loc, input);
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  for (int64_t dim : perm) {
    shape.push_back(type.getDimSize(dim));
    sizes.push_back(inputSizes[dim]);
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  Value init = createEmpty(b, loc, resultType, sizes);
  node.setResult(
      0, linalg::TransposeOp::create(b, loc, input, init, perm).getResult()[0]);
  return success();
}

/// The result sizes of Reshape: 0 copies the input's dim (unless allowzero),
/// -1 takes what is left of the element count.
LogicalResult convertReshape(NodeImporter &node) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  FailureOr<SmallVector<int64_t>> target = node.getIntsOperand(1, "the shape");
  if (failed(target))
    return failure();
  bool allowZero = node.getIntAttr("allowzero", 0);
  if (DenseElementsAttr constant = getIntConstant(node, 0)) {
    ShapedType type = constant.getType();
    int64_t numElements = constant.getNumElements(), known = 1;
    SmallVector<int64_t> shape = *target;
    for (auto [dim, size] : llvm::enumerate(shape))
      if (size == 0 && !allowZero && static_cast<int64_t>(dim) < type.getRank())
        size = type.getDimSize(dim);
    for (int64_t size : shape)
      known *= size == -1 ? 1 : size;
    for (int64_t &size : shape)
      if (size == -1)
        size = known ? numElements / known : 0;
    auto resultType = RankedTensorType::get(shape, type.getElementType());
    if (llvm::count(*target, -1) > 1 ||
        llvm::any_of(shape, [](int64_t size) { return size < 0; }) ||
        resultType.getNumElements() != numElements)
      return node.emitError()
             << "cannot reshape " << type << " to " << resultType;
    node.setConstantResult(0, constant.reshape(resultType));
    return success();
  }
  Value input = node.getOperand(0);
  if (!input)
    return failure();
  RankedTensorType type = getType(input);
  SmallVector<OpFoldResult> inputSizes = getSizes(b, loc, input);
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  int64_t inferred = -1;
  for (auto [dim, size] : llvm::enumerate(*target)) {
    if (size == 0 && !allowZero) {
      if (static_cast<int64_t>(dim) >= type.getRank())
        return node.emitError() << "copies dim " << dim << " of a rank-"
                                << type.getRank() << " input";
      shape.push_back(type.getDimSize(dim));
      sizes.push_back(inputSizes[dim]);
    } else if (size == -1) {
      if (inferred != -1)
        return node.emitError() << "has more than one -1 in the shape";
      inferred = dim;
      shape.push_back(ShapedType::kDynamic);
      sizes.push_back(OpFoldResult());
    } else if (size < 0) {
      return node.emitError() << "has an invalid size " << size;
    } else {
      shape.push_back(size);
      sizes.push_back(b.getIndexAttr(size));
    }
  }
  if (inferred != -1) {
    // numElements / (product of the other sizes), folded when static.
    auto product = [&](ArrayRef<OpFoldResult> factors) {
      Value result = arith::ConstantIndexOp::create(b, loc, 1);
      for (OpFoldResult factor : factors)
        if (factor)
          result = arith::MulIOp::create(
              b, loc, result, getValueOrCreateConstantIndexOp(b, loc, factor));
      return result;
    };
    bool othersStatic = true;
    int64_t known = 1;
    for (auto [dim, s] : llvm::enumerate(shape)) {
      if (static_cast<int64_t>(dim) == inferred)
        continue;
      othersStatic &= !ShapedType::isDynamic(s);
      known *= ShapedType::isDynamic(s) ? 1 : s;
    }
    if (type.hasStaticShape() && othersStatic) {
      shape[inferred] = known ? type.getNumElements() / known : 0;
      sizes[inferred] = b.getIndexAttr(shape[inferred]);
    } else {
      sizes[inferred] =
          arith::DivUIOp::create(b, loc, product(inputSizes), product(sizes))
              .getResult();
    }
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  if (resultType.hasStaticShape() && type.hasStaticShape() &&
      resultType.getNumElements() != type.getNumElements())
    return node.emitError()
           << "cannot reshape " << type << " to " << resultType;
  node.setResult(0, reshapeTo(b, loc, input, resultType, sizes));
  return success();
}

LogicalResult convertUnsqueeze(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> axes = getAxes(node, 13);
  if (failed(axes))
    return failure();
  if (DenseElementsAttr constant = getIntConstant(node, 0)) {
    int64_t rank = constant.getType().getRank() + axes->size();
    if (failed(normalizeAxes(node, *axes, rank)))
      return failure();
    SmallVector<int64_t> shape(constant.getType().getShape());
    for (int64_t axis : *axes)
      shape.insert(shape.begin() + axis, 1);
    node.setConstantResult(0, constant.reshape(RankedTensorType::get(
                                  shape, constant.getElementType())));
    return success();
  }
  Value input = node.getOperand(0);
  if (!input)
    return failure();
  if (failed(
          normalizeAxes(node, *axes, getType(input).getRank() + axes->size())))
    return failure();
  node.setResult(
      0, insertUnitDims(node.getBuilder(), node.getLoc(), input, *axes));
  return success();
}

LogicalResult convertSqueeze(NodeImporter &node) {
  FailureOr<SmallVector<int64_t>> axes = getAxes(node, 13);
  if (failed(axes))
    return failure();
  DenseElementsAttr constant = getIntConstant(node, 0);
  Value input = constant ? Value() : node.getOperand(0);
  if (!constant && !input)
    return failure();
  RankedTensorType type =
      constant ? cast<RankedTensorType>(constant.getType()) : getType(input);
  int64_t rank = type.getRank();
  if (axes->empty()) {
    for (int64_t dim = 0; dim < rank; ++dim)
      if (type.getDimSize(dim) == 1)
        axes->push_back(dim);
  }
  if (failed(normalizeAxes(node, *axes, rank)))
    return failure();
  for (int64_t axis : *axes)
    if (type.getDimSize(axis) != 1)
      return node.emitError()
             << "squeezes dim " << axis << " of " << type << ", which is not 1";
  if (constant) {
    SmallVector<int64_t> shape;
    for (auto [dim, size] : llvm::enumerate(type.getShape()))
      if (!llvm::is_contained(*axes, static_cast<int64_t>(dim)))
        shape.push_back(size);
    node.setConstantResult(0, constant.reshape(RankedTensorType::get(
                                  shape, type.getElementType())));
    return success();
  }
  node.setResult(0,
                 dropUnitDims(node.getBuilder(), node.getLoc(), input, *axes));
  return success();
}

/// Concat of 1-D integer constants folds (shape vectors); anything else is
/// tensor.insert_slice of each operand into a tensor.empty.
LogicalResult convertConcat(NodeImporter &node) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  unsigned numOperands = node.getNumOperands();
  if (numOperands == 0)
    return node.emitError() << "expects operands";
  SmallVector<DenseElementsAttr> constants;
  for (unsigned i = 0; i < numOperands; ++i)
    if (DenseElementsAttr constant = getIntConstant(node, i))
      if (constant.getType().getRank() == 1)
        constants.push_back(constant);
  if (constants.size() == numOperands) {
    SmallVector<APInt> elements;
    for (DenseElementsAttr constant : constants)
      llvm::append_range(elements, getElements(constant));
    auto type = RankedTensorType::get({static_cast<int64_t>(elements.size())},
                                      constants[0].getElementType());
    node.setConstantResult(0, DenseElementsAttr::get(type, elements));
    return success();
  }
  SmallVector<Value> operands;
  for (unsigned i = 0; i < numOperands; ++i) {
    if (!(operands.emplace_back(node.getOperand(i))))
      return failure();
  }
  RankedTensorType type = getType(operands[0]);
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getIntAttr("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, operands[0]);
  Value total = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> offsets;
  shape[*axis] = 0;
  for (Value operand : operands) {
    RankedTensorType operandType = getType(operand);
    if (operandType.getRank() != type.getRank() ||
        operandType.getElementType() != type.getElementType())
      return node.emitError() << "expects operands of one rank and element "
                                 "type, got "
                              << type << " and " << operandType;
    offsets.push_back(total);
    int64_t size = operandType.getDimSize(*axis);
    shape[*axis] =
        ShapedType::isDynamic(size) || ShapedType::isDynamic(shape[*axis])
            ? ShapedType::kDynamic
            : shape[*axis] + size;
    total = arith::AddIOp::create(
        b, loc, total, tensor::DimOp::create(b, loc, operand, *axis));
  }
  sizes[*axis] = total;
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  Value result = createEmpty(b, loc, resultType, sizes);
  for (auto [operand, offset] : llvm::zip(operands, offsets)) {
    SmallVector<OpFoldResult> operandOffsets(type.getRank(), b.getIndexAttr(0));
    operandOffsets[*axis] = offset;
    SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
    result =
        tensor::InsertSliceOp::create(b, loc, operand, result, operandOffsets,
                                      getSizes(b, loc, operand), strides);
  }
  node.setResult(0, result);
  return success();
}

/// One sliced axis: ONNX's clamped start and end, and the step.
struct SliceRange {
  int64_t axis, start, size, step;
};

FailureOr<SmallVector<SliceRange>> getSliceRanges(NodeImporter &node,
                                                  RankedTensorType type) {
  SmallVector<int64_t> starts, ends, axes, steps;
  if (node.getOpset() < 10) {
    starts = node.getIntsAttr("starts").value_or(SmallVector<int64_t>());
    ends = node.getIntsAttr("ends").value_or(SmallVector<int64_t>());
    axes = node.getIntsAttr("axes").value_or(SmallVector<int64_t>());
  } else {
    FailureOr<SmallVector<int64_t>> operand = node.getIntsOperand(1, "starts");
    if (failed(operand))
      return failure();
    starts = *operand;
    if (failed(operand = node.getIntsOperand(2, "ends")))
      return failure();
    ends = *operand;
    if (node.hasOperand(3)) {
      if (failed(operand = node.getIntsOperand(3, "axes")))
        return failure();
      axes = *operand;
    }
    if (node.hasOperand(4)) {
      if (failed(operand = node.getIntsOperand(4, "steps")))
        return failure();
      steps = *operand;
    }
  }
  if (axes.empty())
    axes = llvm::to_vector(
        llvm::seq<int64_t>(0, static_cast<int64_t>(starts.size())));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    node.emitError() << "expects starts, ends, axes and steps of one length";
    return failure();
  }
  SmallVector<SliceRange> ranges;
  for (auto [start, end, axis, step] : llvm::zip(starts, ends, axes, steps)) {
    FailureOr<int64_t> dim = node.normalizeAxis(axis, type.getRank());
    if (failed(dim))
      return failure();
    int64_t size = type.getDimSize(*dim);
    if (ShapedType::isDynamic(size)) {
      node.emitError() << "supports only static sliced dims, got " << type;
      return failure();
    }
    if (step <= 0) {
      node.emitError() << "supports only positive steps, got " << step;
      return failure();
    }
    auto clamp = [&](int64_t index) {
      return std::clamp<int64_t>(index < 0 ? index + size : index, 0, size);
    };
    int64_t first = clamp(start), last = clamp(end);
    int64_t count = last > first ? (last - first + step - 1) / step : 0;
    ranges.push_back({*dim, first, count, step});
  }
  return ranges;
}

LogicalResult convertSlice(NodeImporter &node) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  DenseElementsAttr constant = getIntConstant(node, 0);
  if (constant && constant.getType().getRank() == 1) {
    FailureOr<SmallVector<SliceRange>> ranges =
        getSliceRanges(node, cast<RankedTensorType>(constant.getType()));
    if (failed(ranges))
      return failure();
    SmallVector<APInt> elements = getElements(constant), sliced;
    int64_t start = 0, size = elements.size(), step = 1;
    if (!ranges->empty())
      std::tie(start, size, step) = std::make_tuple(
          ranges->back().start, ranges->back().size, ranges->back().step);
    for (int64_t i = 0; i < size; ++i)
      sliced.push_back(elements[start + i * step]);
    auto type = RankedTensorType::get({size}, constant.getElementType());
    node.setConstantResult(0, DenseElementsAttr::get(type, sliced));
    return success();
  }
  Value input = node.getOperand(0);
  if (!input)
    return failure();
  RankedTensorType type = getType(input);
  FailureOr<SmallVector<SliceRange>> ranges = getSliceRanges(node, type);
  if (failed(ranges))
    return failure();
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, input);
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  for (const SliceRange &range : *ranges) {
    offsets[range.axis] = b.getIndexAttr(range.start);
    sizes[range.axis] = b.getIndexAttr(range.size);
    strides[range.axis] = b.getIndexAttr(range.step);
  }
  node.setResult(0, tensor::ExtractSliceOp::create(b, loc, input, offsets,
                                                   sizes, strides));
  return success();
}

/// Split along `axis` into the sizes of `split` (an attribute before opset
/// 13, an operand after), else into equal parts.
LogicalResult convertSplit(NodeImporter &node) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Value input = node.getOperand(0);
  if (!input)
    return failure();
  RankedTensorType type = getType(input);
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getIntAttr("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  int64_t size = type.getDimSize(*axis);
  if (ShapedType::isDynamic(size))
    return node.emitError() << "supports only a static split dim, got " << type;
  SmallVector<int64_t> split;
  if (node.getOpset() < 13) {
    split = node.getIntsAttr("split").value_or(SmallVector<int64_t>());
  } else if (node.hasOperand(1)) {
    FailureOr<SmallVector<int64_t>> operand = node.getIntsOperand(1, "split");
    if (failed(operand))
      return failure();
    split = *operand;
  }
  int64_t numResults = node.getNumResults();
  if (split.empty()) {
    int64_t part = (size + numResults - 1) / numResults;
    for (int64_t offset = 0; offset < size; offset += part)
      split.push_back(std::min(part, size - offset));
  }
  if (static_cast<int64_t>(split.size()) != numResults ||
      std::accumulate(split.begin(), split.end(), int64_t(0)) != size)
    return node.emitError() << "cannot split dim " << *axis << " of " << type
                            << " into " << numResults << " parts";
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, input);
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  int64_t offset = 0;
  for (auto [i, part] : llvm::enumerate(split)) {
    offsets[*axis] = b.getIndexAttr(offset);
    sizes[*axis] = b.getIndexAttr(part);
    offset += part;
    if (node.hasResult(i))
      node.setResult(i, tensor::ExtractSliceOp::create(b, loc, input, offsets,
                                                       sizes, strides));
  }
  return success();
}

/// Gather along `axis`: a linalg.generic over the result that reads the index
/// and extracts the element; negative indices count from the end.
LogicalResult convertGather(NodeImporter &node) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  DenseElementsAttr constant = getIntConstant(node, 0);
  DenseElementsAttr constantIndices = getIntConstant(node, 1);
  if (constant && constantIndices && constant.getType().getRank() == 1) {
    SmallVector<APInt> elements = getElements(constant), gathered;
    int64_t size = elements.size();
    for (const APInt &index : constantIndices.getValues<APInt>()) {
      int64_t i = index.getSExtValue();
      if (i < -size || i >= size)
        return node.emitError() << "index " << i << " is out of range";
      gathered.push_back(elements[i < 0 ? i + size : i]);
    }
    auto type = RankedTensorType::get(constantIndices.getType().getShape(),
                                      constant.getElementType());
    node.setConstantResult(0, DenseElementsAttr::get(type, gathered));
    return success();
  }
  Value data = node.getOperand(0), indices = node.getOperand(1);
  if (!data || !indices)
    return failure();
  RankedTensorType dataType = getType(data), indicesType = getType(indices);
  if (!isa<IntegerType>(indicesType.getElementType()) ||
      indicesType.getElementType().isInteger(1))
    return node.emitError() << "expects integer indices, got " << indicesType;
  FailureOr<int64_t> axis =
      node.normalizeAxis(node.getIntAttr("axis", 0), dataType.getRank());
  if (failed(axis))
    return failure();
  int64_t indicesRank = indicesType.getRank();
  SmallVector<OpFoldResult> dataSizes = getSizes(b, loc, data);
  SmallVector<OpFoldResult> indicesSizes = getSizes(b, loc, indices);
  SmallVector<int64_t> shape(dataType.getShape().take_front(*axis));
  SmallVector<OpFoldResult> sizes(
      ArrayRef<OpFoldResult>(dataSizes).take_front(*axis));
  llvm::append_range(shape, indicesType.getShape());
  llvm::append_range(sizes, indicesSizes);
  llvm::append_range(shape, dataType.getShape().drop_front(*axis + 1));
  llvm::append_range(sizes,
                     ArrayRef<OpFoldResult>(dataSizes).drop_front(*axis + 1));
  int64_t rank = shape.size();
  auto resultType = RankedTensorType::get(shape, dataType.getElementType());
  SmallVector<AffineExpr> indexExprs;
  for (int64_t dim = 0; dim < indicesRank; ++dim)
    indexExprs.push_back(b.getAffineDimExpr(*axis + dim));
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, indexExprs, b.getContext()),
      b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value axisSize = getValueOrCreateConstantIndexOp(b, loc, dataSizes[*axis]);
  Value init = createEmpty(b, loc, resultType, sizes);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, indices, init, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value index = arith::IndexCastOp::create(
            nested, nestedLoc, nested.getIndexType(), args[0]);
        Value zero = arith::ConstantIndexOp::create(nested, nestedLoc, 0);
        Value negative = arith::CmpIOp::create(
            nested, nestedLoc, arith::CmpIPredicate::slt, index, zero);
        index = arith::SelectOp::create(
            nested, nestedLoc, negative,
            arith::AddIOp::create(nested, nestedLoc, index, axisSize), index);
        SmallVector<Value> coords;
        for (int64_t dim = 0; dim < dataType.getRank(); ++dim) {
          if (dim == *axis)
            coords.push_back(index);
          else
            coords.push_back(linalg::IndexOp::create(
                nested, nestedLoc, dim < *axis ? dim : dim - 1 + indicesRank));
        }
        Value element =
            tensor::ExtractOp::create(nested, nestedLoc, data, coords);
        linalg::YieldOp::create(nested, nestedLoc, element);
      });
  node.setResult(0, generic.getResult(0));
  return success();
}
} // namespace

void mlir::norm::onnx_import::addShapeConverters(ConverterTable &table) {
  table["Constant"] = convertConstant;
  table["ConstantOfShape"] = convertConstantOfShape;
  table["Identity"] = convertIdentity;
  table["Shape"] = convertShape;
  table["Transpose"] = convertTranspose;
  table["Reshape"] = convertReshape;
  table["Unsqueeze"] = convertUnsqueeze;
  table["Squeeze"] = convertSqueeze;
  table["Concat"] = convertConcat;
  table["Slice"] = convertSlice;
  table["Split"] = convertSplit;
  table["Gather"] = convertGather;
}
