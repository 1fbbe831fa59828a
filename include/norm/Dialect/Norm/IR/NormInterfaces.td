//===- NormInterfaces.td - norm op interfaces --------------*- tablegen -*-===//
//
// NormOpInterface: what every norm op (forward or gradient) shares: the
// normalized input, the per-feature parameters, the axes and the arithmetic.
// NormalizationOpInterface (forward ops) and NormalizationGradOpInterface
// (their gradients) add their results. The verifier, canonicalization,
// tiling, shape reification, the dialect passes and the lowerings are written
// once, against these interfaces.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMINTERFACES_TD
#define NORM_DIALECT_NORM_IR_NORMINTERFACES_TD

include "mlir/IR/OpBase.td"

def Norm_NormOpInterface : OpInterface<"NormOpInterface"> {
  let cppNamespace = "::mlir::norm";
  let description = [{
    An op of a normalization over a set of `axes` of its `input` (per row:
    the kept dims index the rows), in a compute type, with optional
    per-feature `scale`, `bias` and `feature_epsilon` operands (one dim per
    normalized axis, each the input's dim or 1). Its per-row statistics are
    in the compute type, shaped like the input with the normalized axes set
    to 1.

    The arithmetic is fixed by one bit, `isCentered`: the second moment is
    taken about the row mean (LayerNorm: statistics `mean`, `inv_std`) or
    about zero (RMSNorm: statistic `inv_rms`).
  }];

  let methods = [
    InterfaceMethod<"The normalized tensor (x).",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getInput">,
    InterfaceMethod<"The per-feature scale, or null.",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getScale">,
    InterfaceMethod<"The per-feature bias, or null.",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getBias">,
    InterfaceMethod<"The per-feature epsilon, or null.",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getFeatureEpsilon">,
    InterfaceMethod<"The normalized axes as written (may be negative).",
      "::llvm::ArrayRef<int64_t>", "getAxes">,
    InterfaceMethod<"Replaces the normalized axes.",
      "void", "setAxes", (ins "::llvm::ArrayRef<int64_t>":$axes)>,
    InterfaceMethod<"The epsilon added to the moment.",
      "::llvm::APFloat", "getEpsilon">,
    InterfaceMethod<"The compute type attribute, if set.",
      "::std::optional<::mlir::FloatType>", "getComputeType">,
    InterfaceMethod<[{
        The factor of the residual in a fused residual add
        (`sum = residual_scale * residual + input`); 1 for the other ops.
      }], "::llvm::APFloat", "getResidualScale", (ins), [{}],
      [{ return ::llvm::APFloat(1.0); }]>,
    InterfaceMethod<[{
        Whether the scale factor is `1 + scale` (Gemma) rather than `scale`.
      }], "bool", "getScaleOffset">,
    InterfaceMethod<"Sets or clears `scale_offset`.",
      "void", "setScaleOffset", (ins "bool":$scaleOffset)>,
    StaticInterfaceMethod<[{
        Whether the second moment is about the row mean (and the mean is
        subtracted from the output), or about zero.
      }], "bool", "isCentered">,
    StaticInterfaceMethod<"The number of per-row statistics.",
      "unsigned", "getNumStatistics">,
    StaticInterfaceMethod<"The statistics' names, for diagnostics.",
      "::llvm::StringRef", "getStatisticsNames">,
  ];

  let extraSharedClassDeclaration = [{
    ::mlir::RankedTensorType getInputType() {
      return $_op.getInput().getType();
    }

    /// The axes wrapped into [0, rank) and sorted: the k-th dim of scale,
    /// bias and feature_epsilon corresponds to the k-th canonical axis.
    ::llvm::SmallVector<int64_t> getCanonicalAxes() {
      // The verifier guarantees that the axes are valid.
      return *::mlir::norm::canonicalizeAxes($_op.getAxes(),
                                             getInputType().getRank());
    }

    /// The dims that are not normalized, in increasing order: they index
    /// the rows.
    ::llvm::SmallVector<int64_t> getKeptDims() {
      return ::mlir::norm::getKeptDims(getCanonicalAxes(),
                                       getInputType().getRank());
    }

    /// The accumulation type: `compute_type` if set, else the default for
    /// the input element type (f32, f64 for f64).
    ::mlir::FloatType getEffectiveComputeType() {
      if (::std::optional<::mlir::FloatType> type = $_op.getComputeType())
        return *type;
      return ::mlir::norm::getDefaultComputeType(
          getInputType().getElementType());
    }

    /// scale, bias, feature_epsilon, in that order (null when absent).
    ::std::array<::mlir::Value, 3> getParameters() {
      return {$_op.getScale(), $_op.getBias(), $_op.getFeatureEpsilon()};
    }

    /// The type of each per-row statistic (returned or not: the lowerings
    /// keep them per row).
    ::mlir::RankedTensorType getStatisticsType() {
      return ::mlir::RankedTensorType::get(
          ::mlir::norm::getStatisticsShape(getInputType().getShape(),
                                           getCanonicalAxes()),
          getEffectiveComputeType());
    }
  }];

  // No verifier of its own: the derived interfaces verify these properties
  // first (a trait's verifiers run in no guaranteed order, and theirs rely on
  // valid axes).
}

def Norm_NormalizationOpInterface
    : OpInterface<"NormalizationOpInterface", [Norm_NormOpInterface]> {
  let cppNamespace = "::mlir::norm";
  let description = [{
    A forward normalization: returns the normalized input (`output`, the
    input's type) and optionally its per-row statistics.
  }];

  let methods = [
    InterfaceMethod<"The normalized result (the input's type).",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getOutput">,
    InterfaceMethod<"The per-row statistics results (empty if not requested).",
      "::mlir::Operation::result_range", "getStatistics">,
    InterfaceMethod<[{
        The residual added to the input before normalizing (fused residual
        ops), or null.
      }], "::mlir::TypedValue<::mlir::RankedTensorType>", "getResidual",
      (ins), [{}], [{ return nullptr; }]>,
    InterfaceMethod<[{
        The sum that is normalized, `residual_scale * residual + input`
        (fused residual ops: the next block's residual), or null.
      }], "::mlir::TypedValue<::mlir::RankedTensorType>", "getSum",
      (ins), [{}], [{ return nullptr; }]>,
    InterfaceMethod<"Where the op rounds to the input type.",
      "::mlir::norm::Casting", "getCasting">,
    InterfaceMethod<"Sets the casting mode.",
      "void", "setCasting", (ins "::mlir::norm::Casting":$casting)>,
  ];

  let extraSharedClassDeclaration = [{
    /// Whether the op adds a residual to its input and normalizes the sum.
    bool hasResidual() { return static_cast<bool>($_op.getResidual()); }

    /// The results shaped like the input: the output, then the sum.
    unsigned getNumInputShapedResults() { return hasResidual() ? 2 : 1; }

    /// The type every operation of the affine transform is rounded to
    /// (`llama` casting of an input narrower than the compute type), or null
    /// when it is done in the compute type.
    ::mlir::FloatType getAffineRoundingType() {
      auto elementType = ::mlir::cast<::mlir::FloatType>(
          $_op.getInput().getType().getElementType());
      if ($_op.getCasting() != ::mlir::norm::Casting::llama ||
          elementType == $_op.getEffectiveComputeType())
        return {};
      return elementType;
    }
  }];

  let verify = [{
    return ::mlir::norm::detail::verifyNormalizationOp($_op);
  }];
}

def Norm_NormalizationGradOpInterface
    : OpInterface<"NormalizationGradOpInterface", [Norm_NormOpInterface]> {
  let cppNamespace = "::mlir::norm";
  let description = [{
    The gradient of a forward normalization: given the gradient of the
    forward's output (`output_grad`, dy), its `input` (x), its parameters and
    optionally its saved per-row statistics (recomputed from x when absent),
    returns the gradient of the input (`input_grad`, dx, the input's type)
    and one gradient per parameter present (scale, bias, feature_epsilon, in
    that order, each of the parameter's type, summed over every
    non-normalized dim and over the parameter's broadcast dims). The value of
    `bias` is not used: its presence asks for its gradient.
  }];

  let methods = [
    InterfaceMethod<"The gradient of the forward's output (dy).",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getOutputGrad">,
    InterfaceMethod<"The saved statistics operands (empty: recomputed).",
      "::mlir::Operation::operand_range", "getStatistics">,
    InterfaceMethod<"The gradient of the input (dx).",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getInputGrad">,
    InterfaceMethod<"The parameters' gradients, one per parameter present.",
      "::mlir::Operation::result_range", "getParameterGrads">,
    InterfaceMethod<[{
        Fused residual ops: the gradient flowing into the forward's `sum`
        result from its other users (the residual stream), or null.
      }], "::mlir::TypedValue<::mlir::RankedTensorType>", "getSumGrad",
      (ins), [{}], [{ return nullptr; }]>,
    InterfaceMethod<[{
        Fused residual ops: the gradient of the forward's residual
        (`residual_scale` times that of its input), or null.
      }], "::mlir::TypedValue<::mlir::RankedTensorType>", "getResidualGrad",
      (ins), [{}], [{ return nullptr; }]>,
  ];

  let extraSharedClassDeclaration = [{
    /// Whether this is the gradient of a fused residual op.
    bool hasResidual() { return static_cast<bool>($_op.getResidualGrad()); }

    /// The gradient of each parameter (scale, bias, feature_epsilon; null
    /// where the parameter is absent).
    ::std::array<::mlir::Value, 3> getParameterGradsByKind() {
      ::std::array<::mlir::Value, 3> grads;
      unsigned next = 0;
      ::std::array<::mlir::Value, 3> params = {
          $_op.getScale(), $_op.getBias(), $_op.getFeatureEpsilon()};
      for (unsigned i = 0; i < 3; ++i)
        if (params[i] && next < $_op.getParameterGrads().size())
          grads[i] = $_op.getParameterGrads()[next++];
      return grads;
    }
  }];

  let verify = [{
    return ::mlir::norm::detail::verifyNormalizationGradOp($_op);
  }];
}

#endif // NORM_DIALECT_NORM_IR_NORMINTERFACES_TD
