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
  let summary = "Normalization layers of transformers (RMSNorm, LayerNorm)";
  let description = [{
    The `norm` dialect models the normalization layers of transformer models
    as single ops on ranked tensors: `norm.rms_norm` and `norm.layer_norm`.
    They normalize over a set of axes, optionally apply a learnable affine
    transform (scale and bias, broadcastable), optionally use a learnable
    per-feature epsilon, accumulate in a wider compute type and preserve the
    input element type. They can return the per-row statistics a training
    backward pass needs.

    The ops are lowered to `linalg` by `convert-norm-to-linalg` and from there
    to vectorized CPU code (`norm-lower-to-cpu`).
  }];
}

class Norm_Op<string mnemonic, list<Trait> traits = []>
    : Op<Norm_Dialect, mnemonic, traits>;

#endif // NORM_DIALECT_NORM_IR_NORMBASE_TD
