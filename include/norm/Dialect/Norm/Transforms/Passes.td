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

#endif // NORM_DIALECT_NORM_TRANSFORMS_PASSES_TD
