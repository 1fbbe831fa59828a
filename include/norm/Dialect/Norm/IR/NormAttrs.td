//===- NormAttrs.td - norm dialect attributes --------------*- tablegen -*-===//
//
// The casting mode of the forward ops: where the arithmetic of a half input
// is rounded to the input type.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMATTRS_TD
#define NORM_DIALECT_NORM_IR_NORMATTRS_TD

include "norm/Dialect/Norm/IR/NormBase.td"
include "mlir/IR/EnumAttr.td"

def Norm_Casting : I32EnumAttr<"Casting", "where a forward op rounds to the "
                                "input type", [
  I32EnumAttrCase<"compute", 0>,
  I32EnumAttrCase<"llama", 1>,
  I32EnumAttrCase<"gemma", 2>
]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::norm";
}

def Norm_CastingAttr : EnumAttr<Norm_Dialect, Norm_Casting, "casting"> {
  let summary = "Where a forward normalization rounds to the input type";
  let description = [{
    `compute` (the default): everything is computed in the compute type and
    rounded to the input type once, at the end. `llama` (HuggingFace
    `LlamaRMSNorm`, Liger `casting_mode="llama"`): the normalized value is
    rounded to the input type before the affine transform, which is then
    done in the input type (`weight * hidden_states.to(input_dtype)`): the
    scale factor, the product and the sum with the bias are each rounded to
    it. `gemma` (HuggingFace `GemmaRMSNorm`, Liger `casting_mode="gemma"`):
    everything in the compute type, cast at the end: the same arithmetic as
    `compute`, spelled apart for ports of Liger and HuggingFace configs.
    With an input of the compute type (f32 or f64 input at its default
    compute type) the three are the same.
  }];
  let assemblyFormat = "`<` $value `>`";
}

#endif // NORM_DIALECT_NORM_IR_NORMATTRS_TD
