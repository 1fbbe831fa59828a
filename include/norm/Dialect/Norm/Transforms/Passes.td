//===- Passes.td - norm dialect passes ---------------------*- tablegen -*-===//

#ifndef NORM_DIALECT_NORM_TRANSFORMS_PASSES_TD
#define NORM_DIALECT_NORM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NormSetKind : Pass<"norm-set-kind"> {
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let summary = "Rewrite every norm op into RMSNorm or LayerNorm";
  let description = [{
    Switches a model between LayerNorm and RMSNorm with one flag:
    `kind=rms` rewrites each `norm.layer_norm` into `norm.rms_norm` and
    `kind=layer` each `norm.rms_norm` into `norm.layer_norm`, keeping the
    input, axes, epsilon, compute type, scale and per-feature epsilon.

    LayerNorm to RMSNorm drops the bias (RMSNorm keeps gamma only: `dim`
    parameters per norm instead of `2 * dim`); the bias stays a function
    argument, unused, so the signature and the weights fed to it do not
    change. RMSNorm to LayerNorm adds no bias: it produces LayerNorm without
    bias (PyTorch's `LayerNorm(bias=False)`), which is what a zero bias
    would compute.

    Statistics results cannot be carried over (LayerNorm's mean has no RMSNorm
    counterpart, and inv_std is not inv_rms): an op whose statistics are used
    is an error; unused statistics are dropped.

    Gradient ops switch with their forward ops (`norm.layer_norm_grad` and
    `norm.rms_norm_grad`), so that a training step stays consistent; when
    the bias is dropped, its gradient becomes zeros (the bias no longer
    affects the output). A gradient op that takes saved statistics is an
    error.
  }];
  let options = [
    Option<"kind", "kind", "std::string", /*default=*/"\"rms\"",
           "Target kind: rms or layer">,
  ];
}

def NormParamStats : Pass<"norm-param-stats", "::mlir::ModuleOp"> {
  let summary = "Report the number of normalization parameters";
  let description = [{
    Emits a remark on every norm op with its number of learnable parameters
    (elements of scale, bias and feature_epsilon) and one on the module with
    the total, counting a tensor shared by several ops once. Parameters with
    dynamic dims are reported as such and left out of the total.
  }];
}

def NormFuseResidual : Pass<"norm-fuse-residual"> {
  let summary = "Fuse residual adds into the norm ops they feed";
  let description = [{
    Rewrites a residual add feeding a plain norm op,

    ```
    %sum = (residual [* alpha]) + input
    %y   = norm.rms_norm %sum ...
    ```

    into `norm.add_rms_norm %input, %residual {residual_scale = alpha}`
    (`norm.add_layer_norm` for LayerNorm), whose `sum` result replaces the
    add's other uses (the next block's residual): the fused op reads input
    and residual once and writes y and the sum once. The add is an
    `arith.addf` on tensors, a `linalg.add`, or an elementwise
    `linalg.generic` whose body is an `arith.addf` of its two inputs; the
    optional `alpha` is a constant multiplying one operand: `arith.mulf` by
    a splat constant (tensor), `linalg.mul` by a constant-filled or splat
    tensor, or an `arith.mulf` by a scalar constant inside the generic. Its
    operand is the residual; without a multiply the add's first operand is.

    The rewrite is exact: the fused op rounds the product and the sum to
    the element type as these ops do. It applies only when every other use
    of the sum comes after the norm op (which the fused op replaces), and
    all shapes are equal (no broadcasting).
  }];
}

def NormTrailingAxes : Pass<"norm-trailing-axes"> {
  let summary = "Move the normalized axes of norm ops to the end";
  let description = [{
    Rewrites every norm op whose normalized axes are not the trailing dims
    of its input into `linalg.transpose` (kept dims first, then the
    normalized axes in increasing order), the same op normalizing the
    trailing dims, and transposes back of the output and the statistics.
    Parameters need no change: their dims follow the normalized axes in
    increasing order on both sides. Afterwards every row is contiguous in
    memory, which the GPU kernels of `convert-norm-to-gpu` require.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def NormRaise : Pass<"norm-raise"> {
  let summary = "Raise normalizations written out in linalg/arith/math to norm ops";
  let description = [{
    Finds RMSNorm and LayerNorm written out elementwise, as ONNX export of
    opsets before 17, torch-mlir and hand-written IR produce them, and
    replaces each with `norm.rms_norm` or `norm.layer_norm`, so that they get
    the norm kernels. The match starts at the op that ends the normalization
    and walks operands (use-def structure, not op order):

    ```
    y    = [truncf] ([core * scale] [+ bias])
    core = X * rsqrt(M + eps) | X * (1 / sqrt(M + eps)) | X / sqrt(M + eps)
    RMS:   X = x,              M = mean_A(X^2)
    LN:    X = x - mean_A(x),  M = mean_A(X^2)
    mean_A(t) = sum_A(t) * (1/N) | sum_A(t) / N
    ```

    - An elementwise step may be a `linalg.generic` (parallel loops, a
      payload of one arith/math op and the constants it uses), a named op
      (`linalg.add`, `sub`, `mul`, `div`, `sqrt`, `rsqrt`, `reciprocal`,
      `square`, `powf`, `linalg.elementwise`) or arith/math on tensors.
      Constants are scalars in or captured by the payload, splat
      `arith.constant` tensors or `linalg.fill` results. The square is
      `t * t`, `math.powf(t, 2.0)` or `math.fpowi(t, 2)`.
    - A per-row statistic is broadcast over the row through the consumer's
      indexing maps, `linalg.broadcast` (or a copying generic) or
      `tensor.expand_shape` of a reduction without kept dims (keepdims).
    - A sum is a `linalg.generic` with reduction loops or a `linalg.reduce`,
      whose payload adds the element to the accumulator, over a
      zero-filled init. Its reduced dims (contiguous or not) become `axes`.
    - `N` must be the product of the reduced dims, which must be static:
      `1/N` rounded to the arithmetic's type, or `N`, as a constant (run
      `canonicalize` first where it is computed from constants). Dynamic
      reduced dims (a mean over `tensor.dim` counts) are not raised.
    - `eps` is the added constant, converted exactly to the f64 `epsilon`.
    - The compute type is the arithmetic's type. With `x = arith.extf(in)`
      and `y = arith.truncf(...)` back to `in`'s type, the op normalizes `in`
      computing in the extension's type; without casts, in `x`'s type (an
      f16 or bf16 op gets `compute_type`). `compute_type` is set only when
      it is not the default for the input.
    - `scale` and `bias` are tensors with one dim per normalized axis, in
      order, broadcast over the rows (possibly `arith.extf` to the compute
      type, which the op does itself); unit dims broadcast over the rows
      (a `[1, D]` scale) are collapsed with `tensor.collapse_shape`. A
      multiply or add that is not one stays outside the raised op.
    - Where the subtracted mean or the `rsqrt` (written as one) is also used
      elsewhere, the op returns its statistics (`mean`, `inv_std` or
      `inv_rms`, which are those values) and they replace those uses,
      through `tensor.collapse_shape` when the value has no unit axes.
    - When a match ends inside a larger one (a scale, bias or truncf
      follows), only the larger one is raised. LayerNorm is tried first:
      `x - mean(x)` normalized by its own RMS is also an RMSNorm.

    Only exact rewrites are made, up to the order of the sums' additions and
    the last rounding of `x / sqrt(.)` against `x * rsqrt(.)`. One deviation
    is deliberate: where the decomposed sum of squares overflows (a row it
    turns into zeros or NaN), the op's lowering rescales the row and returns
    it normalized, which is what the decomposed form means. These are left
    alone:

    - no `eps`, or `eps` below the smallest normal number of the compute
      type: the op's `max(., tiny)` clamp would turn the decomposed form's
      NaN for a zero row into zeros;
    - a statistic broadcast along other dims than the ones reduced, sums
      over different dims, a mean over another count than `N`;
    - a variance not taken about the subtracted mean, and `E[x^2] - E[x]^2`
      (the variance mathematically, not numerically);
    - a scale applied after `arith.truncf` (as in Hugging Face's
      `LlamaRMSNorm`, which rounds twice: the op rounds once): the
      normalization up to the truncf is raised, the scale stays;
    - a result in another type than the input (a cast missing on one side),
      or truncated with another rounding mode than to nearest even;
    - any other intermediate value (the mean square, the variance, the
      centered tensor, `1 / sqrt`) used outside the normalization: the
      rewrite would compute it twice. The input's `arith.extf` may be
      shared.
    - payloads of several ops (fused elementwise generics), sums with a
      nonzero init, `tensor.collapse_shape` squeezes between the steps.
  }];
  let dependentDialects = ["::mlir::norm::NormDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // NORM_DIALECT_NORM_TRANSFORMS_PASSES_TD
