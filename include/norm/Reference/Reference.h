//===- Reference.h - Float64 reference semantics of norm ops ----*- C++ -*-===//
//
// The ground truth for tests and benchmarks: norm.rms_norm and
// norm.layer_norm evaluated in double precision, exactly as the ops'
// descriptions define them, plus the float rounding the tests compare
// against. Plain C++17, no MLIR or LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_REFERENCE_REFERENCE_H
#define NORM_REFERENCE_REFERENCE_H

#include <cstdint>
#include <vector>

namespace norm::reference {

/// A row-major float64 tensor.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data; // product(shape) values (1 for rank 0)

  int64_t numElements() const;
};

enum class NormKind { RMS, Layer };

/// The ops' `casting`: where the affine transform is rounded to the input
/// type (see NormOptions::roundToInput).
enum class Casting { Compute, Llama, Gemma };

struct NormOptions {
  NormKind kind = NormKind::RMS;
  /// Normalized axes, any order; negative values count from the end.
  std::vector<int64_t> axes = {-1};
  double epsilon = 1e-6;
  /// Smallest normal number of the compute type: FLT_MIN for f32, DBL_MIN
  /// for f64, 6.103515625e-05 for f16, 1.1754943508222875e-38 for bf16.
  double tiny = 1.1754943508222875e-38;
  /// Optional affine parameters and per-feature epsilon (which replaces
  /// `epsilon`): one dim per normalized axis in increasing axis order, each
  /// equal to the input's dim or 1 (broadcast).
  const Tensor *scale = nullptr;
  const Tensor *bias = nullptr;
  const Tensor *featureEpsilon = nullptr;
  /// The ops' `scale_offset`: the scale factor is 1 + scale (Gemma).
  bool scaleOffset = false;
  /// With Casting::Llama, the normalized value, the scale factor, the bias,
  /// the product and the sum are each rounded by `roundToInput` (the input
  /// type's rounding, e.g. roundToBF16; nullptr: the input is of the compute
  /// type, no rounding). Compute and Gemma are the same arithmetic, in
  /// float64. The gradient ignores the casting (its roundings are taken as
  /// the identity).
  Casting casting = Casting::Compute;
  double (*roundToInput)(double) = nullptr;
};

struct NormResult {
  /// Shaped like the input.
  Tensor output;
  /// layer_norm only (empty for rms): the input's shape with the normalized
  /// axes set to 1.
  Tensor mean;
  /// inv_rms (rms) or inv_std (layer), shaped like `mean`; empty with a
  /// per-feature epsilon, where no per-row statistic exists.
  Tensor invStd;
};

/// Axes wrapped into [0, rank) and sorted ascending; throws
/// std::invalid_argument when empty, out of range or repeated.
std::vector<int64_t> canonicalAxes(const std::vector<int64_t> &axes,
                                   int64_t rank);

/// Evaluates the op; throws std::invalid_argument on bad axes or on input or
/// parameter shapes that do not fit.
NormResult normalize(const Tensor &input, const NormOptions &options);

struct GradResult {
  /// dx, shaped like the input.
  Tensor inputGrad;
  /// The gradients of the parameters given in the options (empty where a
  /// parameter is absent), each shaped like its parameter.
  Tensor scaleGrad, biasGrad, featureEpsilonGrad;
};

/// The gradients of `normalize(input, options)` given the gradient of its
/// output, as the gradient ops define them: the derivative of the forward
/// (with the clamp of the inverse root's argument at `tiny` contributing
/// nothing where it is active), parameter gradients summed over the rows and
/// the parameters' broadcast dims. `bias` only needs its shape. Throws
/// std::invalid_argument like normalize, and when `outputGrad`'s shape is not
/// the input's.
GradResult normalizeGrad(const Tensor &input, const Tensor &outputGrad,
                         const NormOptions &options);

/// `value` rounded to the nearest f32 / f16 / bf16 value (ties to even,
/// overflow to infinity, gradual underflow), returned as a double.
double roundToF32(double value);
double roundToF16(double value);
double roundToBF16(double value);

} // namespace norm::reference

#endif // NORM_REFERENCE_REFERENCE_H
