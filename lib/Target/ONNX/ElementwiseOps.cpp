//===- ElementwiseOps.cpp - ONNX elementwise ops to linalg.generic --------===//
//
// Unary and binary math, Where and Cast: one linalg.generic each over the
// broadcast of the operands (numpy rules), with an arith/math body.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::norm::onnx_import;

namespace {
Type getElementType(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType();
}

/// A float or integer binary op: `floatOp` on floats, `intOp` on integers.
template <typename FloatOp, typename IntOp> OpConverter binary() {
  return [](NodeImporter &node) -> LogicalResult {
    Value lhs = node.getOperand(0), rhs = node.getOperand(1);
    if (!lhs || !rhs)
      return failure();
    Type type = getElementType(lhs);
    if (type != getElementType(rhs))
      return node.emitError() << "expects operands of one element type, got "
                              << type << " and " << getElementType(rhs);
    FailureOr<Value> result = buildElementwise(
        node, {lhs, rhs}, type,
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if (isa<FloatType>(type))
            return FloatOp::create(b, loc, args[0], args[1]);
          return IntOp::create(b, loc, args[0], args[1]);
        });
    if (failed(result))
      return failure();
    node.setResult(0, *result);
    return success();
  };
}

/// A float unary op whose scalar form is `body`.
OpConverter unary(ScalarBody body) {
  return [body](NodeImporter &node) -> LogicalResult {
    Value input = node.getOperand(0);
    if (!input)
      return failure();
    Type type = getElementType(input);
    if (!isa<FloatType>(type))
      return node.emitError() << "expects a float operand, got " << type;
    FailureOr<Value> result = buildElementwise(node, input, type, body);
    if (failed(result))
      return failure();
    node.setResult(0, *result);
    return success();
  };
}

template <typename MathOp> OpConverter unaryMath() {
  return unary([](OpBuilder &b, Location loc, ValueRange args) -> Value {
    return MathOp::create(b, loc, args[0]);
  });
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = createScalar(b, loc, x.getType(), 1);
  Value negExp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, negExp));
}

/// 0.5 x (1 + erf(x / sqrt(2))), or with approximate = "tanh"
/// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
Value gelu(OpBuilder &b, Location loc, Value x, bool approximateTanh) {
  Type type = x.getType();
  Value half = createScalar(b, loc, type, 0.5);
  Value one = createScalar(b, loc, type, 1);
  Value inner;
  if (approximateTanh) {
    Value cube =
        arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value sum = arith::AddFOp::create(
        b, loc, x,
        arith::MulFOp::create(b, loc, createScalar(b, loc, type, 0.044715),
                              cube));
    inner = math::TanhOp::create(
        b, loc,
        arith::MulFOp::create(
            b, loc, createScalar(b, loc, type, std::sqrt(2 / M_PI)), sum));
  } else {
    inner = math::ErfOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, x,
                              createScalar(b, loc, type, M_SQRT1_2)));
  }
  return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, half, x),
                               arith::AddFOp::create(b, loc, one, inner));
}

LogicalResult convertGelu(NodeImporter &node) {
  std::string approximate = node.getStringAttr("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return node.emitError()
           << "unsupported approximate '" << approximate << "'";
  bool useTanh = approximate == "tanh";
  return unary([useTanh](OpBuilder &b, Location loc, ValueRange args) {
    return gelu(b, loc, args[0], useTanh);
  })(node);
}

/// x^y; a constant exponent 2 (decomposed LayerNorm's variance) is x * x,
/// exact and cheaper than powf.
LogicalResult convertPow(NodeImporter &node) {
  Value base = node.getOperand(0), exponent = node.getOperand(1);
  if (!base || !exponent)
    return failure();
  Type type = getElementType(base);
  if (!isa<FloatType>(type))
    return node.emitError() << "expects a float base, got " << type;
  DenseElementsAttr constant = node.getConstantOperand(1);
  if (constant && constant.isSplat() &&
      isa<FloatType>(constant.getElementType()) &&
      constant.getSplatValue<APFloat>().convertToDouble() == 2.0) {
    FailureOr<Value> result = buildElementwise(
        node, base, type, [](OpBuilder &b, Location loc, ValueRange args) {
          return arith::MulFOp::create(b, loc, args[0], args[0]);
        });
    if (failed(result))
      return failure();
    node.setResult(0, *result);
    return success();
  }
  FailureOr<Value> result = buildElementwise(
      node, {base, exponent}, type,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return math::PowFOp::create(b, loc, args[0],
                                    convertScalar(b, loc, args[1], type));
      });
  if (failed(result))
    return failure();
  node.setResult(0, *result);
  return success();
}

/// A comparison giving bool: `floatPredicate` on floats, `intPredicate` on
/// integers.
OpConverter compare(arith::CmpFPredicate floatPredicate,
                    arith::CmpIPredicate intPredicate) {
  return [=](NodeImporter &node) -> LogicalResult {
    Value lhs = node.getOperand(0), rhs = node.getOperand(1);
    if (!lhs || !rhs)
      return failure();
    Type type = getElementType(lhs);
    if (type != getElementType(rhs))
      return node.emitError() << "expects operands of one element type, got "
                              << type << " and " << getElementType(rhs);
    FailureOr<Value> result = buildElementwise(
        node, {lhs, rhs}, node.getBuilder().getI1Type(),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          if (isa<FloatType>(type))
            return arith::CmpFOp::create(b, loc, floatPredicate, args[0],
                                         args[1]);
          return arith::CmpIOp::create(b, loc, intPredicate, args[0], args[1]);
        });
    if (failed(result))
      return failure();
    node.setResult(0, *result);
    return success();
  };
}

LogicalResult convertWhere(NodeImporter &node) {
  Value condition = node.getOperand(0), lhs = node.getOperand(1),
        rhs = node.getOperand(2);
  if (!condition || !lhs || !rhs)
    return failure();
  if (!getElementType(condition).isInteger(1))
    return node.emitError() << "expects a bool condition";
  FailureOr<Value> result = buildElementwise(
      node, {condition, lhs, rhs}, getElementType(lhs),
      [](OpBuilder &b, Location loc, ValueRange args) {
        return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
      });
  if (failed(result))
    return failure();
  node.setResult(0, *result);
  return success();
}

LogicalResult convertCast(NodeImporter &node) {
  Value input = node.getOperand(0);
  if (!input)
    return failure();
  int64_t to = node.getIntAttr("to", 0);
  Type type = mlir::norm::onnx_import::getElementType(
      node.getBuilder().getContext(), to);
  if (!type)
    return node.emitError() << "unsupported target element type " << to;
  if (type == getElementType(input)) {
    node.setResult(0, input);
    return success();
  }
  FailureOr<Value> result = buildElementwise(
      node, input, type, [type](OpBuilder &b, Location loc, ValueRange args) {
        return convertScalar(b, loc, args[0], type);
      });
  if (failed(result))
    return failure();
  node.setResult(0, *result);
  return success();
}
} // namespace

void mlir::norm::onnx_import::addElementwiseConverters(ConverterTable &table) {
  table["Add"] = binary<arith::AddFOp, arith::AddIOp>();
  table["Sub"] = binary<arith::SubFOp, arith::SubIOp>();
  table["Mul"] = binary<arith::MulFOp, arith::MulIOp>();
  table["Div"] = binary<arith::DivFOp, arith::DivSIOp>();
  table["Pow"] = convertPow;
  table["Sqrt"] = unaryMath<math::SqrtOp>();
  table["Exp"] = unaryMath<math::ExpOp>();
  table["Tanh"] = unaryMath<math::TanhOp>();
  table["Erf"] = unaryMath<math::ErfOp>();
  table["Neg"] = unary([](OpBuilder &b, Location loc, ValueRange args) {
    return arith::NegFOp::create(b, loc, args[0]);
  });
  table["Reciprocal"] = unary([](OpBuilder &b, Location loc, ValueRange args) {
    return arith::DivFOp::create(
        b, loc, createScalar(b, loc, args[0].getType(), 1), args[0]);
  });
  table["Relu"] = unary([](OpBuilder &b, Location loc, ValueRange args) {
    return arith::MaximumFOp::create(
        b, loc, args[0], createScalar(b, loc, args[0].getType(), 0));
  });
  table["Sigmoid"] = unary([](OpBuilder &b, Location loc, ValueRange args) {
    return sigmoid(b, loc, args[0]);
  });
  table["Gelu"] = convertGelu;
  table["Equal"] = compare(arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq);
  table["Greater"] =
      compare(arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt);
  table["Less"] = compare(arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt);
  table["Where"] = convertWhere;
  table["Cast"] = convertCast;
}
