//===- NormInterfaces.td - norm op interfaces --------------*- tablegen -*-===//
//
// NormalizationOpInterface: what every normalization op shares, so that the
// verifier, canonicalization, tiling, shape reification, the dialect passes
// and the lowerings are written once, against the interface.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMINTERFACES_TD
#define NORM_DIALECT_NORM_IR_NORMINTERFACES_TD

include "mlir/IR/OpBase.td"

def Norm_NormalizationOpInterface : OpInterface<"NormalizationOpInterface"> {
  let cppNamespace = "::mlir::norm";
  let description = [{
    An op that normalizes its `input` over a set of `axes` (per row: the
    kept dims index the rows), in a compute type, with optional per-feature
    `scale`, `bias` and `feature_epsilon` operands (one dim per normalized
    axis, each the input's dim or 1), and optionally returns per-row
    statistics in the compute type, shaped like the input with the
    normalized axes set to 1.

    The op's arithmetic is fixed by one bit, `isCentered`: the second moment
    is taken about the row mean (LayerNorm: statistics `mean`, `inv_std`) or
    about zero (RMSNorm: statistic `inv_rms`). The verifier, the canonical
    form of the axes, tiling over rows, shape reification and both lowerings
    are implemented once for every op of this interface.
  }];

  let methods = [
    InterfaceMethod<"The normalized tensor.",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getInput">,
    InterfaceMethod<"The per-feature scale, or null.",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getScale">,
    InterfaceMethod<"The per-feature bias, or null.",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getBias">,
    InterfaceMethod<"The per-feature epsilon, or null.",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getFeatureEpsilon">,
    InterfaceMethod<"The normalized result (the input's type).",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getOutput">,
    InterfaceMethod<"The per-row statistics results (empty if not requested).",
      "::mlir::Operation::result_range", "getStatistics">,
    InterfaceMethod<"The normalized axes as written (may be negative).",
      "::llvm::ArrayRef<int64_t>", "getAxes">,
    InterfaceMethod<"Replaces the normalized axes.",
      "void", "setAxes", (ins "::llvm::ArrayRef<int64_t>":$axes)>,
    InterfaceMethod<"The epsilon added to the moment.",
      "::llvm::APFloat", "getEpsilon">,
    InterfaceMethod<"The compute type attribute, if set.",
      "::std::optional<::mlir::FloatType>", "getComputeType">,
    StaticInterfaceMethod<[{
        Whether the second moment is about the row mean (and the mean is
        subtracted from the output), or about zero.
      }], "bool", "isCentered">,
    StaticInterfaceMethod<"The number of statistics results, when requested.",
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

    /// The type of each statistics result (returned or not: the lowerings
    /// keep them per row).
    ::mlir::RankedTensorType getStatisticsType() {
      return ::mlir::RankedTensorType::get(
          ::mlir::norm::getStatisticsShape(getInputType().getShape(),
                                           getCanonicalAxes()),
          getEffectiveComputeType());
    }
  }];

  let verify = [{
    return ::mlir::norm::detail::verifyNormalizationOp($_op);
  }];
}

#endif // NORM_DIALECT_NORM_IR_NORMINTERFACES_TD
