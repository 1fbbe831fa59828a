//===- NormBase.td - norm dialect definition ---------------*- tablegen -*-===//
//
// The norm dialect: normalization layers of transformers as first-class ops.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMBASE_TD
#define NORM_DIALECT_NORM_IR_NORMBASE_TD

include "mlir/IR/OpBase.td"

def Norm_Dialect : Dialect {
  let name = "norm";
  let cppNamespace = "::mlir::norm";
  let hasCanonicalizer = 1;
  let useDefaultAttributePrinterParser = 1;
  let summary = "Normalization layers of transformers (RMSNorm, LayerNorm)";
  let description = [{
    The `norm` dialect models the normalization layers of transformer models
    as single ops on ranked tensors: `norm.rms_norm` and `norm.layer_norm`.
    They normalize over a set of axes, optionally apply a learnable affine
    transform (scale and bias, broadcastable), optionally use a learnable
    per-feature epsilon, accumulate in a wider compute type and preserve the
    input element type; the affine transform has the variants models ask
    for (`scale_offset`, Gemma's `1 + w`, and `casting`, where a half input
    is rounded: docs/variants.md maps them to PyTorch and HuggingFace).
    They can return the per-row statistics a training backward pass needs,
    and `norm.rms_norm_grad` / `norm.layer_norm_grad` compute their
    gradients (of the input, the scale, the bias and the per-feature
    epsilon), from those statistics or recomputing them.
    `norm.add_rms_norm` / `norm.add_layer_norm` fuse the residual add of a
    transformer block (`sum = residual_scale * residual + input`, then the
    norm of the sum; both returned), with their gradient ops
    `norm.add_rms_norm_grad` / `norm.add_layer_norm_grad`;
    `norm-fuse-residual` forms them from separate adds.

    The ops are lowered to `linalg` by `convert-norm-to-linalg` and from there
    to vectorized, multi-threaded CPU code (`norm-lower-to-cpu`), and to
    NVIDIA GPU kernels through NVVM (`norm-lower-to-nvvm`; the gradient ops
    as linalg mapped to GPU threads, without row kernels of their own yet).

    Gradient numerics: the gradients are the derivatives of the forward as
    defined (the clamp at `tiny` contributes nothing where active), with the
    forward's statistics (two-pass, overflow-guarded on the CPU); parameter
    gradients are summed in the compute type per task of rows, then over the
    tasks in order, so results do not depend on the number of threads.
    `norm-differential-test --gradients` checks them against the float64
    reference gradient, itself checked against central finite differences.

    ### Numerics

    Both lowerings compute LayerNorm's variance in two passes over the row
    (the mean, then the centered squares; on the CPU the second pass reads
    the row from cache), never from raw or shifted moments, so outliers and
    large means do not cancel. Error bound, held by
    `test/Integration/CPU/precision.mlir` (`norm-differential-test
    --precision`) on adversarial rows (an outlier as the first element,
    scattered outliers of 1000, mean 1000 with std 1, magnitudes from 1e-3 to
    1e3, constant rows, rows of 65536) for f16, bf16, f32 and f64, static and
    dynamic shapes: with `u` the unit roundoff of the compute type (2^-24 for
    f32, 2^-53 for f64), every output element `y` of type `T` satisfies

    ```
    |y - y_ref| <= ulp_T(y_ref) / 2 + 8 * u * (|y_ref| + 1 + c)
    ```

    against a long-double reference, where `c = 0` for RMSNorm and
    `c = (|mean| + mean(|x|)) * inv_std` for LayerNorm (the row's own
    conditioning: how much of `x - mean` is lost to the rounding of the
    mean). Measured (2026-11-29): k = 3.2 (RMSNorm f32), 6.95 (LayerNorm
    f32), 3.9 / 5.4 (f64); f16 and bf16 outputs are within half an ulp
    plus 0.5 and 0.0 u of f32. Scale and bias add their own rounding.

    Edge cases: a zero row gives zeros (or the bias), never NaN, also with
    `epsilon = 0` (the inverse root is clamped at the compute type's smallest
    normal number); a one-element row is normalized to 0 by LayerNorm; a row
    holding a NaN or an infinity gives NaN where the arithmetic does and
    never affects other rows. Values whose squares or sums overflow the
    compute type (|x| beyond ~1.8e19 with f32 accumulation: bf16 or f32
    input near its range) do not overflow the statistics: on the CPU, a
    row whose moment is not finite is summed again with its elements
    scaled by a power of two (from the exponent of the row's largest
    magnitude), so the same bound holds up to the type's largest value
    (tested at max/8 for every dtype). Two limits remain at the very top
    of the range: an inverse RMS / std below the smallest normal number
    (rms > ~8.5e37 in f32) is subnormal and less precise, and LayerNorm's
    `x - mean` overflows when it exceeds the type's range. The GPU kernels
    do not rescale yet: there such rows give 0 or NaN. Subnormal squares
    underflow to 0, which `epsilon` normally dominates.
  }];
}

class Norm_Op<string mnemonic, list<Trait> traits = []>
    : Op<Norm_Dialect, mnemonic, traits>;

#endif // NORM_DIALECT_NORM_IR_NORMBASE_TD
