//===- TransformerBlock.h - Float64 reference of the example block -*- C++
//-*-===//
//
// The decoder block of examples/transformer_block/ evaluated in double
// precision: multi-head causal self-attention and a SwiGLU feed-forward, with
// LayerNorm or RMSNorm, pre- or post-norm.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_REFERENCE_TRANSFORMERBLOCK_H
#define NORM_REFERENCE_TRANSFORMERBLOCK_H

#include "norm/Reference/Reference.h"

namespace norm::reference {

/// The block's arguments, in the order of the example's entry functions.
struct BlockWeights {
  Tensor x;                     // [seq, dim]
  Tensor norm1Gamma, norm1Beta; // [dim]
  Tensor wq, wk, wv, wo;        // [dim, dim]
  Tensor norm2Gamma, norm2Beta; // [dim]
  Tensor wGate, wUp;            // [dim, hidden]
  Tensor wDown;                 // [hidden, dim]
};

struct BlockConfig {
  int64_t heads = 8;
  /// RMSNorm ignores the betas (gamma only).
  NormKind norm = NormKind::Layer;
  double epsilon = 1e-5;
  /// Norm after each residual add instead of before each sublayer.
  bool postNorm = false;
};

/// The block's output, [seq, dim].
Tensor transformerBlock(const BlockWeights &weights, const BlockConfig &config);

} // namespace norm::reference

#endif // NORM_REFERENCE_TRANSFORMERBLOCK_H
