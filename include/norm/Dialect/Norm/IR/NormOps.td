//===- NormOps.td - norm dialect ops -----------------------*- tablegen -*-===//
//
// norm.rms_norm and norm.layer_norm.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMOPS_TD
#define NORM_DIALECT_NORM_IR_NORMOPS_TD

include "norm/Dialect/Norm/IR/NormAttrs.td"
include "norm/Dialect/Norm/IR/NormBase.td"
include "norm/Dialect/Norm/IR/NormInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"

def Norm_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
def Norm_ParamTensor : RankedTensorOf<[AnyFloat]>;

// The forward ops share operands, attributes, assembly and
// NormalizationOpInterface (which verifies them and, through models attached
// by the dialect, tiles them and reifies their shapes); they differ in
// whether the moment is centered, their default epsilon, their statistics
// and whether a residual is added first (`fused`: an extra `residual`
// operand, `residual_scale` attribute and `sum` result). The variants
// (`scale_offset`, `casting`) come last so that the builders' positional
// arguments of the other attributes keep their places.
class Norm_NormalizationOp<string mnemonic, string defaultEpsilon,
                           bit centered, int numStatistics,
                           string statisticsNames, bit fused = 0>
    : Norm_Op<mnemonic, !listconcat([
        Pure, AttrSizedOperandSegments, Norm_NormalizationOpInterface],
        !if(fused, [AllTypesMatch<["input", "residual", "output", "sum"]>],
            []))> {
  let arguments = !con(
    (ins Norm_FloatTensor:$input),
    !if(fused, (ins Norm_FloatTensor:$residual), (ins)),
    (ins
      Optional<Norm_ParamTensor>:$scale,
      Optional<Norm_ParamTensor>:$bias,
      Optional<Norm_ParamTensor>:$feature_epsilon,
      DefaultValuedAttr<DenseI64ArrayAttr, "{-1}">:$axes,
      DefaultValuedAttr<F64Attr, defaultEpsilon>:$epsilon,
      OptionalAttr<TypeAttrOf<AnyFloat>>:$compute_type),
    !if(fused, (ins DefaultValuedAttr<F64Attr, "1.0">:$residual_scale),
        (ins)),
    (ins UnitAttr:$scale_offset,
      DefaultValuedAttr<Norm_CastingAttr,
                        "::mlir::norm::Casting::compute">:$casting));
  let results = !con(
    (outs Norm_FloatTensor:$output),
    !if(fused, (outs Norm_FloatTensor:$sum), (outs)),
    (outs Variadic<Norm_ParamTensor>:$statistics));

  let assemblyFormat = "$input " # !if(fused, "`,` $residual ", "") # [{
    (`scale` `(` $scale^ `:` type($scale) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`feature_epsilon` `(` $feature_epsilon^ `:` type($feature_epsilon) `)`)?
    attr-dict `:` type($input) `->` type(results)
  }];

  // Builds the op with result types derived from the input: the output (and
  // the sum) have the input's type, statistics (when requested) the input's
  // shape with the normalized axes set to 1 and the compute type.
  let builders = !if(fused, [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$residual,
      "::llvm::ArrayRef<int64_t>":$axes, "double":$epsilon,
      CArg<"double", "1.0">:$residualScale,
      CArg<"::mlir::Value", "{}">:$scale, CArg<"::mlir::Value", "{}">:$bias,
      CArg<"::mlir::Value", "{}">:$featureEpsilon,
      CArg<"bool", "false">:$withStatistics,
      CArg<"::mlir::FloatType", "{}">:$computeType,
      CArg<"bool", "false">:$scaleOffset,
      CArg<"::mlir::norm::Casting", "::mlir::norm::Casting::compute">:$casting),
    [{
      ::llvm::SmallVector<::mlir::Type> types =
          ::mlir::norm::inferNormalizationResultTypes(
              input, axes, withStatistics ? getNumStatistics() : 0,
              computeType);
      types.insert(types.begin() + 1, input.getType());
      build($_builder, $_state, types, input, residual, scale, bias,
            featureEpsilon, $_builder.getDenseI64ArrayAttr(axes),
            $_builder.getF64FloatAttr(epsilon),
            computeType ? ::mlir::TypeAttr::get(computeType)
                        : ::mlir::TypeAttr(),
            $_builder.getF64FloatAttr(residualScale),
            scaleOffset ? $_builder.getUnitAttr() : ::mlir::UnitAttr(),
            ::mlir::norm::CastingAttr::get($_builder.getContext(), casting));
    }]>], [
    OpBuilder<(ins "::mlir::Value":$input,
      "::llvm::ArrayRef<int64_t>":$axes, "double":$epsilon,
      CArg<"::mlir::Value", "{}">:$scale, CArg<"::mlir::Value", "{}">:$bias,
      CArg<"::mlir::Value", "{}">:$featureEpsilon,
      CArg<"bool", "false">:$withStatistics,
      CArg<"::mlir::FloatType", "{}">:$computeType,
      CArg<"bool", "false">:$scaleOffset,
      CArg<"::mlir::norm::Casting", "::mlir::norm::Casting::compute">:$casting),
    [{
      build($_builder, $_state,
            ::mlir::norm::inferNormalizationResultTypes(
                input, axes, withStatistics ? getNumStatistics() : 0,
                computeType),
            input, scale, bias, featureEpsilon,
            $_builder.getDenseI64ArrayAttr(axes),
            $_builder.getF64FloatAttr(epsilon),
            computeType ? ::mlir::TypeAttr::get(computeType)
                        : ::mlir::TypeAttr(),
            scaleOffset ? $_builder.getUnitAttr() : ::mlir::UnitAttr(),
            ::mlir::norm::CastingAttr::get($_builder.getContext(), casting));
    }]>]);

  code commonExtraClassDeclaration = [{
    static bool isCentered() { return }] # !if(centered, "true", "false") # [{; }
    static unsigned getNumStatistics() { return }] # numStatistics # [{; }
    static ::llvm::StringRef getStatisticsNames() {
      return "}] # statisticsNames # [{";
    }
  }];
  let extraClassDeclaration = commonExtraClassDeclaration;
}

// The variants of the affine transform, shared by the forward ops'
// descriptions.
defvar VariantsDescription = [{

    Variants (docs/variants.md maps them to PyTorch and HuggingFace models).
    With `scale_offset` (Gemma's `x * (1 + w)`) the scale factor is
    `1 + scale`, the 1 added in the compute type after converting `scale`;
    it requires a `scale` operand. `casting` says where a half input is
    rounded to its type. With `xhat` the normalized value (`x * r` or
    `(x - mean) * r`) and `s` the scale factor, both in the compute type, and
    `rnd` the rounding to the input element type:

    ```
    compute, gemma:  y = rnd(xhat * s + bias)
    llama:           y = rnd(rnd(rnd(xhat) * rnd(s)) + rnd(bias))
    ```

    `compute` (the default, not printed) and `gemma` (HuggingFace
    `GemmaRMSNorm`: everything in the compute type, cast at the end) are the
    same arithmetic; `llama` is HuggingFace `LlamaRMSNorm`'s
    `weight * hidden_states.to(input_dtype)`, every operation of the affine
    transform in the input type (each computed in the compute type and
    rounded: for f16 and bf16 in f32, the correctly rounded result). When
    the compute type is the input type (f32 or f64 input by default) `rnd`
    is the identity and the three modes agree. The statistics are the same
    in every mode.

    ```mlir
    %y = norm.rms_norm %x scale(%w : tensor<2048xbf16>) {scale_offset}
           : tensor<?x2048xbf16> -> tensor<?x2048xbf16>
    %z = norm.rms_norm %x scale(%w : tensor<2048xbf16>)
           {casting = #norm.casting<llama>}
           : tensor<?x2048xbf16> -> tensor<?x2048xbf16>
    ```
  }];

defvar GradVariantsDescription = [{

    With `scale_offset` the scale factor is `1 + scale` as in the forward:
    `g = dy * (1 + scale)`, and `dscale` is unchanged (the derivative of
    `1 + scale` is 1). The gradient ops take no `casting`: the forward's
    roundings to the input type are taken as the identity (straight-through,
    as PyTorch's autograd differentiates `.to(dtype)`), so the gradient of a
    `llama` forward is that of its `compute` form.
  }];

defvar RMSStatisticsAccessors = [{
    /// The per-row inverse RMS, or null when not requested.
    ::mlir::Value getInvRms() {
      return getStatistics().empty() ? ::mlir::Value() : getStatistics()[0];
    }
  }];
defvar LayerStatisticsAccessors = [{
    /// The per-row mean, or null when statistics are not requested.
    ::mlir::Value getMean() {
      return getStatistics().empty() ? ::mlir::Value() : getStatistics()[0];
    }
    /// The per-row inverse standard deviation, or null.
    ::mlir::Value getInvStd() {
      return getStatistics().empty() ? ::mlir::Value() : getStatistics()[1];
    }
  }];

def Norm_RMSNormOp : Norm_NormalizationOp<"rms_norm", "1e-6", /*centered=*/0,
                                           1, "inv_rms"> {
  let summary = "Root-mean-square normalization (RMSNorm)";
  let description = [{
    Normalizes `input` by the root mean square over the normalized `axes`:

    ```
    y = x * rsqrt(max(mean_A(x^2) + eps, tiny)) [* scale] [+ bias]
    ```

    where `A` is the set of `axes` (negative values count from the end;
    default `[-1]`), `eps` is `epsilon` (default 1e-6) or, when the
    `feature_epsilon` operand is given, its element for the feature being
    normalized, and `tiny` is the smallest normal number of the compute type,
    so that a zero vector yields zeros, never NaN. The mean divides by
    `max(N, 1)` where `N` is the number of elements in the normalized axes;
    tensors with zero elements are valid and give empty results.

    All arithmetic is done in the compute type (`compute_type`, default f32,
    f64 for f64 input), which must be at least as wide as the input; the
    result has the input's type. `scale`, `bias` and `feature_epsilon` have
    one dim per normalized axis, in increasing axis order; each equals the
    input's dim or is 1 (broadcast), and static sizes
    other than 1 agree between the parameters. Their element types may be any float
    type and are converted to the compute type.

    With one extra result the op also returns `inv_rms`, the per-row
    `rsqrt(max(mean_A(x^2) + eps, tiny))`: the input's shape with the
    normalized axes set to 1, in the compute type. It is not available with
    `feature_epsilon`, where no per-row statistic exists.

    Example:

    ```mlir
    %y = norm.rms_norm %x scale(%g : tensor<4096xbf16>)
           : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
    %z, %inv_rms = norm.rms_norm %x {axes = array<i64: 1, 2>, epsilon = 1.0e-05 : f64}
           : tensor<2x8x64xf32> -> tensor<2x8x64xf32>, tensor<2x1x1xf32>
    ```
  }] # VariantsDescription;
  let extraClassDeclaration =
      !strconcat(commonExtraClassDeclaration, RMSStatisticsAccessors);
}

def Norm_LayerNormOp : Norm_NormalizationOp<"layer_norm", "1e-5",
                                             /*centered=*/1, 2,
                                             "mean, inv_std"> {
  let summary = "Layer normalization (LayerNorm)";
  let description = [{
    Normalizes `input` to zero mean and unit variance over the normalized
    `axes`:

    ```
    y = (x - mean_A(x)) * rsqrt(max(var_A(x) + eps, tiny)) [* scale] [+ bias]
    ```

    with the biased (population) variance
    `var_A(x) = mean_A((x - mean_A(x))^2)`. `A` is the set of `axes`
    (negative values count from the end; default `[-1]`), `eps` is `epsilon`
    (default 1e-5) or, when the `feature_epsilon` operand is given, its
    element for the feature being normalized, and `tiny` is the smallest
    normal number of the compute type, so that a constant vector yields
    `bias` (or zeros), never NaN. Means divide by `max(N, 1)` where `N` is
    the number of elements in the normalized axes; tensors with zero elements
    are valid and give empty results.

    All arithmetic is done in the compute type (`compute_type`, default f32,
    f64 for f64 input), which must be at least as wide as the input; the
    result has the input's type. `scale`, `bias` and `feature_epsilon` have
    one dim per normalized axis, in increasing axis order; each equals the
    input's dim or is 1 (broadcast), and static sizes
    other than 1 agree between the parameters. Their element types may be any float
    type and are converted to the compute type.

    With two extra results the op also returns `mean` and `inv_std`
    (`rsqrt(max(var + eps, tiny))`) per row, ONNX style: the input's shape
    with the normalized axes set to 1, in the compute type. They are not
    available with `feature_epsilon`, where no per-row `inv_std` exists.

    Example:

    ```mlir
    %y = norm.layer_norm %x scale(%g : tensor<768xf32>) bias(%b : tensor<768xf32>)
           : tensor<?x?x768xf16> -> tensor<?x?x768xf16>
    %z, %mean, %inv_std = norm.layer_norm %x
           : tensor<8x128xf32> -> tensor<8x128xf32>, tensor<8x1xf32>, tensor<8x1xf32>
    ```
  }] # VariantsDescription;
  let extraClassDeclaration =
      !strconcat(commonExtraClassDeclaration, LayerStatisticsAccessors);
}

//===----------------------------------------------------------------------===//
// Fused residual add
//===----------------------------------------------------------------------===//

defvar ResidualDescription = [{
    The fused residual add of a pre-norm transformer block: computes

    ```
    sum = residual_scale * residual + input
    ```

    with each operation rounded to the input's element type, exactly as
    `arith.mulf` and `arith.addf` in that type would (the multiply is skipped
    when `residual_scale` is 1; the scale itself is rounded to the element
    type), then normalizes `sum` as the plain op does and returns the
    normalized `output`, then `sum` (the next block's residual), then the
    requested statistics of `sum`. The lowering reads `input` and `residual`
    once and writes `output` and `sum` once. `residual_scale` (default 1.0)
    is DeepNorm's alpha (`LN(alpha * x + f(x))`); production kernels (vLLM's
    `fused_add_rms_norm`) only have alpha = 1. `input`, `residual`, `output`
    and `sum` have the same type.
  }];

def Norm_AddRMSNormOp : Norm_NormalizationOp<"add_rms_norm", "1e-6",
                                              /*centered=*/0, 1, "inv_rms",
                                              /*fused=*/1> {
  let summary = "Residual add followed by RMSNorm";
  let description = ResidualDescription # [{
    The normalization is `norm.rms_norm`'s, with the same operands and
    attributes.

    Example:

    ```mlir
    %y, %sum = norm.add_rms_norm %x, %r scale(%g : tensor<4096xbf16>)
           : tensor<?x4096xbf16> -> tensor<?x4096xbf16>, tensor<?x4096xbf16>
    ```
  }];
  let extraClassDeclaration =
      !strconcat(commonExtraClassDeclaration, RMSStatisticsAccessors);
}

def Norm_AddLayerNormOp : Norm_NormalizationOp<"add_layer_norm", "1e-5",
                                                /*centered=*/1, 2,
                                                "mean, inv_std", /*fused=*/1> {
  let summary = "Residual add followed by LayerNorm";
  let description = ResidualDescription # [{
    The normalization is `norm.layer_norm`'s, with the same operands and
    attributes.

    Example:

    ```mlir
    %y, %sum = norm.add_layer_norm %x, %r scale(%g : tensor<768xf32>)
           bias(%b : tensor<768xf32>) {residual_scale = 2.0 : f64}
           : tensor<8x768xf32> -> tensor<8x768xf32>, tensor<8x768xf32>
    ```
  }];
  let extraClassDeclaration =
      !strconcat(commonExtraClassDeclaration, LayerStatisticsAccessors);
}

//===----------------------------------------------------------------------===//
// Gradients
//===----------------------------------------------------------------------===//

// The gradient ops share operands, attributes, assembly and
// NormalizationGradOpInterface with each other, and the attributes and
// parameters with their forward op. Those of the fused residual ops
// (`fused`) also take the gradient of the forward's sum (`sum_grad`) and
// return that of its residual (`residual_grad`).
class Norm_NormalizationGradOp<string mnemonic, string defaultEpsilon,
                               bit centered, int numStatistics,
                               string statisticsNames, bit fused = 0>
    : Norm_Op<mnemonic, [
        Pure, AttrSizedOperandSegments,
        AllTypesMatch<!listconcat(["output_grad", "input", "input_grad"],
                                  !if(fused, ["residual_grad"], []))>,
        Norm_NormalizationGradOpInterface]> {
  let arguments = !con(
    (ins Norm_FloatTensor:$output_grad),
    !if(fused, (ins Optional<Norm_FloatTensor>:$sum_grad), (ins)),
    (ins
      Norm_FloatTensor:$input,
      Optional<Norm_ParamTensor>:$scale,
      Optional<Norm_ParamTensor>:$bias,
      Optional<Norm_ParamTensor>:$feature_epsilon,
      Variadic<Norm_ParamTensor>:$statistics,
      DefaultValuedAttr<DenseI64ArrayAttr, "{-1}">:$axes,
      DefaultValuedAttr<F64Attr, defaultEpsilon>:$epsilon,
      OptionalAttr<TypeAttrOf<AnyFloat>>:$compute_type),
    !if(fused, (ins DefaultValuedAttr<F64Attr, "1.0">:$residual_scale),
        (ins)),
    (ins UnitAttr:$scale_offset));
  let results = !con(
    (outs Norm_FloatTensor:$input_grad),
    !if(fused, (outs Norm_FloatTensor:$residual_grad), (outs)),
    (outs Variadic<Norm_ParamTensor>:$parameter_grads));

  let assemblyFormat = "$output_grad `,` $input " # !if(fused, [{
    (`sum_grad` `(` $sum_grad^ `:` type($sum_grad) `)`)? }], "") # [{
    (`scale` `(` $scale^ `:` type($scale) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`feature_epsilon` `(` $feature_epsilon^ `:` type($feature_epsilon) `)`)?
    (`statistics` `(` $statistics^ `:` type($statistics) `)`)?
    attr-dict `:` type($input) `->` type(results)
  }];

  // Builds the op with result types derived from the operands: dx (and the
  // residual's gradient) have the input's type, each parameter gradient its
  // parameter's type.
  let builders = !if(fused, [
    OpBuilder<(ins "::mlir::Value":$outputGrad, "::mlir::Value":$sumGrad,
      "::mlir::Value":$input, "::llvm::ArrayRef<int64_t>":$axes,
      "double":$epsilon, CArg<"double", "1.0">:$residualScale,
      CArg<"::mlir::Value", "{}">:$scale, CArg<"::mlir::Value", "{}">:$bias,
      CArg<"::mlir::Value", "{}">:$featureEpsilon,
      CArg<"::mlir::ValueRange", "{}">:$statistics,
      CArg<"::mlir::FloatType", "{}">:$computeType,
      CArg<"bool", "false">:$scaleOffset), [{
      ::llvm::SmallVector<::mlir::Type> resultTypes = {input.getType(),
                                                       input.getType()};
      for (::mlir::Value param : {scale, bias, featureEpsilon})
        if (param)
          resultTypes.push_back(param.getType());
      build($_builder, $_state, resultTypes, outputGrad, sumGrad, input,
            scale, bias, featureEpsilon, statistics,
            $_builder.getDenseI64ArrayAttr(axes),
            $_builder.getF64FloatAttr(epsilon),
            computeType ? ::mlir::TypeAttr::get(computeType)
                        : ::mlir::TypeAttr(),
            $_builder.getF64FloatAttr(residualScale),
            scaleOffset ? $_builder.getUnitAttr() : ::mlir::UnitAttr());
    }]>], [
    OpBuilder<(ins "::mlir::Value":$outputGrad, "::mlir::Value":$input,
      "::llvm::ArrayRef<int64_t>":$axes, "double":$epsilon,
      CArg<"::mlir::Value", "{}">:$scale, CArg<"::mlir::Value", "{}">:$bias,
      CArg<"::mlir::Value", "{}">:$featureEpsilon,
      CArg<"::mlir::ValueRange", "{}">:$statistics,
      CArg<"::mlir::FloatType", "{}">:$computeType,
      CArg<"bool", "false">:$scaleOffset), [{
      ::llvm::SmallVector<::mlir::Type> resultTypes = {input.getType()};
      for (::mlir::Value param : {scale, bias, featureEpsilon})
        if (param)
          resultTypes.push_back(param.getType());
      build($_builder, $_state, resultTypes, outputGrad, input, scale, bias,
            featureEpsilon, statistics, $_builder.getDenseI64ArrayAttr(axes),
            $_builder.getF64FloatAttr(epsilon),
            computeType ? ::mlir::TypeAttr::get(computeType)
                        : ::mlir::TypeAttr(),
            scaleOffset ? $_builder.getUnitAttr() : ::mlir::UnitAttr());
    }]>]);

  let extraClassDeclaration = [{
    static bool isCentered() { return }] # !if(centered, "true", "false") # [{; }
    static unsigned getNumStatistics() { return }] # numStatistics # [{; }
    static ::llvm::StringRef getStatisticsNames() {
      return "}] # statisticsNames # [{";
    }
    /// The gradient of each parameter, or null where it is absent.
    ::mlir::Value getScaleGrad() { return getParameterGradsByKind()[0]; }
    ::mlir::Value getBiasGrad() { return getParameterGradsByKind()[1]; }
    ::mlir::Value getFeatureEpsilonGrad() {
      return getParameterGradsByKind()[2];
    }
  }];
}

def Norm_RMSNormGradOp : Norm_NormalizationGradOp<"rms_norm_grad", "1e-6",
                                                   /*centered=*/0, 1,
                                                   "inv_rms"> {
  let summary = "Gradient of root-mean-square normalization";
  let description = [{
    The gradients of `norm.rms_norm` with the same `axes`, `epsilon`,
    `compute_type` and parameters, given `output_grad` (dy, the gradient of
    the forward's output). With `r = rsqrt(max(mean_A(x^2) + eps, tiny))`
    (from the optional `statistics(%inv_rms)` operand, or recomputed from x),
    `xhat = x * r` and `g = dy * scale` (dy without a scale), per row:

    ```
    dx     = r * (g - xhat * mean_A(g * xhat))
    dscale = sum over rows of dy * xhat
    dbias  = sum over rows of dy
    ```

    The parameter gradients are summed over every non-normalized dim and
    over the parameter's own broadcast (size-1) dims, in the compute type,
    and returned in the parameter's type; `dbias` is returned when `bias` is
    given (its value is not used). The derivative of the clamp
    `max(., tiny)` is zero where it is active: a clamped row (a zero row with
    `epsilon = 0`) has `dx = r * g`.

    With `feature_epsilon`, the inverse root `r_f` depends on the feature f
    (`xhat_f = x_f * r_f`, `w_f = r_f^2` where the clamp is inactive, else 0):

    ```
    dx_j               = g_j * r_j - x_j * mean_f(g_f * xhat_f * w_f)
    dfeature_epsilon_f = sum over rows of -1/2 * g_f * xhat_f * w_f
    ```

    The results are `input_grad` (the input's type), then one gradient per
    parameter present, in the order scale, bias, feature_epsilon. Sums over
    rows are taken in a fixed order (per chunk of rows, then over chunks), so
    results do not depend on the number of threads.

    Example:

    ```mlir
    %dx, %dscale = norm.rms_norm_grad %dy, %x scale(%g : tensor<4096xbf16>)
           : tensor<?x4096xbf16> -> tensor<?x4096xbf16>, tensor<4096xbf16>
    ```
  }] # GradVariantsDescription;
}

def Norm_LayerNormGradOp : Norm_NormalizationGradOp<"layer_norm_grad", "1e-5",
                                                     /*centered=*/1, 2,
                                                     "mean, inv_std"> {
  let summary = "Gradient of layer normalization";
  let description = [{
    The gradients of `norm.layer_norm` with the same `axes`, `epsilon`,
    `compute_type` and parameters, given `output_grad` (dy, the gradient of
    the forward's output). With the row mean `m` and
    `r = rsqrt(max(var_A(x) + eps, tiny))` (from the optional
    `statistics(%mean, %inv_std)` operands, or recomputed from x),
    `xhat = (x - m) * r` and `g = dy * scale` (dy without a scale), per row:

    ```
    dx     = r * (g - mean_A(g) - xhat * mean_A(g * xhat))
    dscale = sum over rows of dy * xhat
    dbias  = sum over rows of dy
    ```

    The parameter gradients are summed over every non-normalized dim and
    over the parameter's own broadcast (size-1) dims, in the compute type,
    and returned in the parameter's type; `dbias` is returned when `bias` is
    given (its value is not used). The derivative of the clamp
    `max(., tiny)` is zero where it is active: a clamped (constant) row with
    `epsilon = 0` has `dx = r * (g - mean_A(g))`.

    With `feature_epsilon`, the inverse root `r_f` depends on the feature f
    (`xhat_f = (x_f - m) * r_f`, `w_f = r_f^2` where the clamp is inactive,
    else 0):

    ```
    dx_j               = g_j * r_j - mean_f(g_f * r_f)
                         - (x_j - m) * mean_f(g_f * xhat_f * w_f)
    dfeature_epsilon_f = sum over rows of -1/2 * g_f * xhat_f * w_f
    ```

    The results are `input_grad` (the input's type), then one gradient per
    parameter present, in the order scale, bias, feature_epsilon. Sums over
    rows are taken in a fixed order (per chunk of rows, then over chunks), so
    results do not depend on the number of threads.

    Example:

    ```mlir
    %y, %mean, %rstd = norm.layer_norm %x scale(%g : tensor<768xf32>) bias(%b : tensor<768xf32>)
           : tensor<8x768xf32> -> tensor<8x768xf32>, tensor<8x1xf32>, tensor<8x1xf32>
    %dx, %dg, %db = norm.layer_norm_grad %dy, %x scale(%g : tensor<768xf32>)
           bias(%b : tensor<768xf32>)
           statistics(%mean, %rstd : tensor<8x1xf32>, tensor<8x1xf32>)
           : tensor<8x768xf32> -> tensor<8x768xf32>, tensor<768xf32>, tensor<768xf32>
    ```
  }] # GradVariantsDescription;
}

defvar ResidualGradDescription = [{
    The gradients of the fused residual op with the same `axes`, `epsilon`,
    `compute_type`, `residual_scale` and parameters. `input` is the
    forward's `sum` result (the tensor that was normalized, as the plain
    gradient op's `input`), `output_grad` the gradient of the forward's
    `output` and the optional `sum_grad` that of its `sum` result (the
    residual stream; absent: zero). With `dsum` the plain gradient op's `dx`
    plus `sum_grad`, in the compute type:

    ```
    input_grad    = dsum
    residual_grad = residual_scale * dsum
    ```

    each rounded once to the input's type; the parameter gradients are the
    plain gradient op's. `residual_grad` is only computed when it is used
    (with `residual_scale` = 1 it equals `input_grad`).
  }];

def Norm_AddRMSNormGradOp : Norm_NormalizationGradOp<"add_rms_norm_grad",
                                                      "1e-6", /*centered=*/0,
                                                      1, "inv_rms",
                                                      /*fused=*/1> {
  let summary = "Gradient of the residual add followed by RMSNorm";
  let description = ResidualGradDescription # [{
    The normalization's gradient is `norm.rms_norm_grad`'s.

    Example:

    ```mlir
    %dx, %dr, %dg = norm.add_rms_norm_grad %dy, %sum
           sum_grad(%dsum : tensor<8x4096xf32>) scale(%g : tensor<4096xf32>)
           : tensor<8x4096xf32> -> tensor<8x4096xf32>, tensor<8x4096xf32>,
             tensor<4096xf32>
    ```
  }];
}

def Norm_AddLayerNormGradOp : Norm_NormalizationGradOp<"add_layer_norm_grad",
                                                        "1e-5",
                                                        /*centered=*/1, 2,
                                                        "mean, inv_std",
                                                        /*fused=*/1> {
  let summary = "Gradient of the residual add followed by LayerNorm";
  let description = ResidualGradDescription # [{
    The normalization's gradient is `norm.layer_norm_grad`'s.

    Example:

    ```mlir
    %dx, %dr = norm.add_layer_norm_grad %dy, %sum
           {residual_scale = 2.0 : f64}
           : tensor<8x768xf32> -> tensor<8x768xf32>, tensor<8x768xf32>
    ```
  }];
}

#endif // NORM_DIALECT_NORM_IR_NORMOPS_TD
