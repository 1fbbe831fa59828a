//===- RaiseMatchers.h - Views of decomposed normalizations -----*- C++ -*-===//
//
// norm-raise reads linalg, arith, math and tensor IR through three views, so
// that its patterns do not depend on how a step was spelled: an elementwise
// computation (linalg.generic, a named linalg op or arith/math on tensors), a
// broadcast (linalg.broadcast, a copying generic, tensor.expand_shape of unit
// dims) and a sum reduction (linalg.generic or linalg.reduce).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_DIALECT_NORM_TRANSFORMS_RAISEMATCHERS_H
#define NORM_LIB_DIALECT_NORM_TRANSFORMS_RAISEMATCHERS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::norm::raise {

/// A tensor seen from the iteration space of the normalization's output:
/// `dims[i]` is the output dim that indexes dim `i` of `value`, or -1 for a
/// unit dim that is broadcast. The output itself has dims 0, 1, ..., rank-1.
struct Term {
  Value value;
  SmallVector<int64_t> dims;

  /// `value` indexed like the output (dims 0, 1, ..., rank-1).
  static Term getFull(Value value);

  /// Whether `value` is indexed like the output of rank `rank`.
  bool isFull(int64_t rank) const;
};

/// The scalar computation of an elementwise op.
enum class ElementwiseKind {
  Add,
  Sub,
  Mul,
  Div,
  Sqrt,
  Rsqrt,
  Pow,
  ExtF,
  TruncF
};

/// A scalar constant operand: a constant in or captured by the payload, a
/// splat tensor constant or a `linalg.fill` of a constant.
struct Constant {
  double value;
};

/// An operand of an elementwise op: a tensor (after broadcasts are looked
/// through) or a scalar constant.
struct ElementwiseOperand {
  std::optional<Term> term;
  std::optional<Constant> constant;
};

struct Elementwise {
  ElementwiseKind kind;
  SmallVector<ElementwiseOperand> operands;
};

/// Reads the op that defines `term` as one elementwise computation. The ops
/// looked at (the computation and the broadcasts of its operands) are
/// appended to `ops`.
std::optional<Elementwise> matchElementwise(const Term &term,
                                            SmallVectorImpl<Operation *> &ops);

/// A sum over `reducedDims` of `input` (a tensor indexed like the
/// normalization's output) into a zero-initialized tensor.
struct Sum {
  Value input;
  SmallVector<int64_t> reducedDims;
};

/// Reads the op that defines `term` as a sum of a tensor of the output's shape
/// whose kept dims index the term as `term.dims` says. Appends it to `ops`.
std::optional<Sum> matchSum(const Term &term, ArrayRef<int64_t> outputShape,
                            SmallVectorImpl<Operation *> &ops);

} // namespace mlir::norm::raise

#endif // NORM_LIB_DIALECT_NORM_TRANSFORMS_RAISEMATCHERS_H
