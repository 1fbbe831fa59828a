//===- Tensors.cpp - ONNX element types and TensorProto contents ----------===//

#include "Importer.h"

#include "llvm/ADT/APFloat.h"

using namespace mlir;
using namespace mlir::norm::onnx_import;

Type mlir::norm::onnx_import::getElementType(MLIRContext *context,
                                             int dataType) {
  Builder b(context);
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT8:
    return b.getI8Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

namespace {
/// The raw bits of element `i` of a typed field: int32_data holds f16/bf16
/// bit patterns and small integers, int64_data and double_data the rest.
APInt getTypedElement(const onnx::TensorProto &tensor, Type type, int64_t i) {
  unsigned width = type.getIntOrFloatBitWidth();
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    return APFloat(tensor.float_data(i)).bitcastToAPInt();
  case onnx::TensorProto::DOUBLE:
    return APFloat(tensor.double_data(i)).bitcastToAPInt();
  case onnx::TensorProto::INT64:
    return APInt(64, tensor.int64_data(i), /*isSigned=*/true);
  default:
    return APInt(width, static_cast<uint64_t>(tensor.int32_data(i)),
                 /*isSigned=*/false, /*implicitTrunc=*/true);
  }
}

int64_t getTypedSize(const onnx::TensorProto &tensor) {
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    return tensor.float_data_size();
  case onnx::TensorProto::DOUBLE:
    return tensor.double_data_size();
  case onnx::TensorProto::INT64:
    return tensor.int64_data_size();
  default:
    return tensor.int32_data_size();
  }
}
} // namespace

FailureOr<DenseElementsAttr>
mlir::norm::onnx_import::getTensorAttr(const onnx::TensorProto &tensor,
                                       Location loc) {
  Type elementType = getElementType(loc.getContext(), tensor.data_type());
  if (!elementType)
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has unsupported ONNX element type "
                          << tensor.data_type();
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' has external data, which is not supported";
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  int64_t numElements = 1;
  for (int64_t size : shape) {
    if (size < 0)
      return emitError(loc)
             << "tensor '" << tensor.name() << "' has a negative dim";
    numElements *= size;
  }
  auto type = RankedTensorType::get(shape, elementType);
  unsigned width = elementType.getIntOrFloatBitWidth();
  SmallVector<APInt> elements;
  elements.reserve(numElements);
  if (tensor.has_raw_data()) {
    // Raw data is little-endian and one byte per bool.
    const std::string &raw = tensor.raw_data();
    unsigned bytes = std::max(width / 8, 1u);
    if (static_cast<int64_t>(raw.size()) != numElements * bytes)
      return emitError(loc)
             << "tensor '" << tensor.name() << "' has " << raw.size()
             << " bytes of data, expected " << numElements * bytes;
    for (int64_t i = 0; i < numElements; ++i) {
      uint64_t bits = 0;
      std::memcpy(&bits, raw.data() + i * bytes, bytes);
      elements.push_back(APInt(width, width == 1 ? bits != 0 : bits));
    }
  } else {
    if (getTypedSize(tensor) != numElements)
      return emitError(loc)
             << "tensor '" << tensor.name() << "' has " << getTypedSize(tensor)
             << " elements, expected " << numElements;
    for (int64_t i = 0; i < numElements; ++i)
      elements.push_back(getTypedElement(tensor, elementType, i));
  }
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    SmallVector<APFloat> floats;
    for (const APInt &bits : elements)
      floats.emplace_back(floatType.getFloatSemantics(), bits);
    return DenseElementsAttr::get(type, floats);
  }
  return DenseElementsAttr::get(type, elements);
}
