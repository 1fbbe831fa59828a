//===- Importer.h - The ONNX importer's state and helpers -------*- C++ -*-===//
//
// Internal to lib/Target/ONNX: the value table of one graph, the view of one
// node that op converters get, and the converter tables of each file.
//
//===----------------------------------------------------------------------===//

#ifndef LIB_TARGET_ONNX_IMPORTER_H
#define LIB_TARGET_ONNX_IMPORTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <functional>

namespace mlir::norm::onnx_import {

/// The MLIR element type of an ONNX TensorProto::DataType, or null.
Type getElementType(MLIRContext *context, int dataType);

/// The contents of a TensorProto (raw_data or the typed fields), or an error
/// emitted at `loc`.
FailureOr<DenseElementsAttr> getTensorAttr(const onnx::TensorProto &tensor,
                                           Location loc);

/// Values by ONNX name. Values known while importing (initializers,
/// Constant nodes, shapes of static tensors and what is computed from them)
/// are kept as attributes and materialized as arith.constant on first use,
/// so that shape computations fold away.
class ValueTable {
public:
  explicit ValueTable(OpBuilder &builder) : builder(builder) {}

  void set(llvm::StringRef name, Value value) { values[name] = value; }
  void setConstant(llvm::StringRef name, DenseElementsAttr value) {
    constants[name] = value;
  }
  bool contains(llvm::StringRef name) const {
    return values.count(name) || constants.count(name);
  }
  /// The value, materialized at `loc` if it is a constant; null if unknown.
  Value lookup(llvm::StringRef name, Location loc);
  /// The value's contents if known while importing.
  DenseElementsAttr lookupConstant(llvm::StringRef name) const {
    return constants.lookup(name);
  }

private:
  OpBuilder &builder;
  llvm::StringMap<Value> values;
  llvm::StringMap<DenseElementsAttr> constants;
};

/// One node being converted: its operands, attributes and results.
class NodeImporter {
public:
  NodeImporter(const onnx::NodeProto &node, unsigned index, int64_t opset,
               ValueTable &table, OpBuilder &builder, Location loc)
      : node(node), index(index), opset(opset), table(table), builder(builder),
        loc(loc) {}

  int64_t getOpset() const { return opset; }
  OpBuilder &getBuilder() { return builder; }
  Location getLoc() const { return loc; }

  /// An error naming the op and the node: "ONNX op 'X' (node 'n', #i): ...".
  InFlightDiagnostic emitError();

  unsigned getNumOperands() const { return node.input_size(); }
  /// Whether optional operand `i` is given (present with a non-empty name).
  bool hasOperand(unsigned i) const {
    return i < getNumOperands() && !node.input(i).empty();
  }
  /// Operand `i` as a ranked tensor; emits an error and returns null when it
  /// is missing.
  Value getOperand(unsigned i);
  /// Operand `i`'s contents when known while importing, else null.
  DenseElementsAttr getConstantOperand(unsigned i) const;
  /// Operand `i` as integers known while importing (shapes, axes); emits an
  /// error naming `what` if it is not.
  FailureOr<SmallVector<int64_t>> getIntsOperand(unsigned i,
                                                 llvm::StringRef what);

  bool hasResult(unsigned i) const {
    return i < static_cast<unsigned>(node.output_size()) &&
           !node.output(i).empty();
  }
  unsigned getNumResults() const { return node.output_size(); }
  void setResult(unsigned i, Value value);
  void setConstantResult(unsigned i, DenseElementsAttr value);

  const onnx::AttributeProto *getAttr(llvm::StringRef name) const;
  int64_t getIntAttr(llvm::StringRef name, int64_t defaultValue) const;
  double getFloatAttr(llvm::StringRef name, double defaultValue) const;
  std::string getStringAttr(llvm::StringRef name,
                            llvm::StringRef defaultValue) const;
  std::optional<SmallVector<int64_t>> getIntsAttr(llvm::StringRef name) const;

  /// Normalizes a possibly negative `axis` of a rank-`rank` tensor; emits an
  /// error when out of range.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

private:
  const onnx::NodeProto &node;
  unsigned index;
  int64_t opset;
  ValueTable &table;
  OpBuilder &builder;
  Location loc;
};

using OpConverter = std::function<LogicalResult(NodeImporter &)>;
using ConverterTable = llvm::StringMap<OpConverter>;

void addElementwiseConverters(ConverterTable &table);
void addContractionConverters(ConverterTable &table);
void addNormalizationConverters(ConverterTable &table);
void addShapeConverters(ConverterTable &table);

//===----------------------------------------------------------------------===//
// Building blocks shared by the converters (Builders.cpp).
//===----------------------------------------------------------------------===//

/// The sizes of `value` (static sizes as attributes, dynamic ones as
/// tensor.dim).
SmallVector<OpFoldResult> getSizes(OpBuilder &b, Location loc, Value value);

/// `tensor.empty` of `type`, taking dynamic sizes from `sizes`.
Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<OpFoldResult> sizes);

/// The ONNX (numpy-style, multidirectional) broadcast of `operands`' shapes
/// and, for each result dim, its size. Errors when static sizes disagree.
FailureOr<SmallVector<OpFoldResult>>
broadcastSizes(NodeImporter &node, ValueRange operands,
               SmallVectorImpl<int64_t> &shape);

using ScalarBody =
    std::function<Value(OpBuilder &, Location, ValueRange /*args*/)>;

/// An elementwise linalg.generic over the broadcast of `operands`: each
/// operand is read through a map that pins its size-1 (broadcast) dims to 0,
/// and `body` computes the `resultElementType` element from their elements.
FailureOr<Value> buildElementwise(NodeImporter &node, ValueRange operands,
                                  Type resultElementType,
                                  const ScalarBody &body);

/// A scalar constant of float or integer type `type`.
Value createScalar(OpBuilder &b, Location loc, Type type, double value);

/// Converts scalar `value` to element type `to` (float/int/bool casts with
/// ONNX Cast semantics: to bool is `!= 0`, from bool is 0 or 1).
Value convertScalar(OpBuilder &b, Location loc, Value value, Type to);

/// Reshapes `value` to `type` (same number of elements) through
/// collapse_shape/expand_shape; `sizes` are the result's sizes.
Value reshapeTo(OpBuilder &b, Location loc, Value value, RankedTensorType type,
                ArrayRef<OpFoldResult> sizes);

/// Inserts size-1 dims at the (sorted, in-range) result positions `axes`.
Value insertUnitDims(OpBuilder &b, Location loc, Value value,
                     ArrayRef<int64_t> axes);

/// Removes the size-1 dims at the (sorted, in-range) positions `axes`.
Value dropUnitDims(OpBuilder &b, Location loc, Value value,
                   ArrayRef<int64_t> axes);

} // namespace mlir::norm::onnx_import

#endif // LIB_TARGET_ONNX_IMPORTER_H
