//===- NodeImporter.cpp - The value table and one node's view -------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace mlir::norm::onnx_import;

Value ValueTable::lookup(llvm::StringRef name, Location loc) {
  if (Value value = values.lookup(name))
    return value;
  DenseElementsAttr constant = constants.lookup(name);
  if (!constant)
    return {};
  // Materialized once, where the first user is: every later user follows it.
  Value value = arith::ConstantOp::create(builder, loc, constant);
  values[name] = value;
  return value;
}

InFlightDiagnostic NodeImporter::emitError() {
  return mlir::emitError(loc) << "ONNX op '" << node.op_type() << "' (node '"
                              << node.name() << "', #" << index << "): ";
}

Value NodeImporter::getOperand(unsigned i) {
  if (!hasOperand(i)) {
    emitError() << "expects operand #" << i;
    return {};
  }
  Value value = table.lookup(node.input(i), loc);
  if (!value)
    emitError() << "operand '" << node.input(i) << "' is not defined";
  return value;
}

DenseElementsAttr NodeImporter::getConstantOperand(unsigned i) const {
  return hasOperand(i) ? table.lookupConstant(node.input(i))
                       : DenseElementsAttr();
}

FailureOr<SmallVector<int64_t>>
NodeImporter::getIntsOperand(unsigned i, llvm::StringRef what) {
  DenseElementsAttr constant = getConstantOperand(i);
  if (!constant || !isa<IntegerType>(constant.getElementType())) {
    emitError() << "expects " << what
                << " known at import time (a constant or initializer)";
    return failure();
  }
  SmallVector<int64_t> ints;
  for (const APInt &value : constant.getValues<APInt>())
    ints.push_back(value.getSExtValue());
  return ints;
}

void NodeImporter::setResult(unsigned i, Value value) {
  if (hasResult(i))
    table.set(node.output(i), value);
}

void NodeImporter::setConstantResult(unsigned i, DenseElementsAttr value) {
  if (hasResult(i))
    table.setConstant(node.output(i), value);
}

const onnx::AttributeProto *NodeImporter::getAttr(llvm::StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t NodeImporter::getIntAttr(llvm::StringRef name,
                                 int64_t defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->i() : defaultValue;
}

double NodeImporter::getFloatAttr(llvm::StringRef name,
                                  double defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  if (!attr)
    return defaultValue;
  // ONNX stores f32: take its shortest decimal form (1e-5, not
  // 9.99999974e-6), which is what the model's author wrote.
  float value = attr->f();
  for (int digits = 1; digits < 9; ++digits) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.*g", digits,
                  static_cast<double>(value));
    if (std::strtof(text, nullptr) == value)
      return std::strtod(text, nullptr);
  }
  return value;
}

std::string NodeImporter::getStringAttr(llvm::StringRef name,
                                        llvm::StringRef defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->s() : defaultValue.str();
}

std::optional<SmallVector<int64_t>>
NodeImporter::getIntsAttr(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = getAttr(name);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

FailureOr<int64_t> NodeImporter::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    emitError() << "axis " << axis << " is out of range for rank " << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}
