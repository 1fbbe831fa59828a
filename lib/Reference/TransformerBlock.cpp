//===- TransformerBlock.cpp - Float64 reference of the example block ------===//

#include "norm/Reference/TransformerBlock.h"

#include <cmath>
#include <limits>

using namespace norm::reference;

namespace {
/// [m, k] x [k, n].
Tensor matmul(const Tensor &a, const Tensor &b) {
  int64_t m = a.shape[0], k = a.shape[1], n = b.shape[1];
  Tensor c{{m, n}, std::vector<double>(m * n, 0.0)};
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p) {
      double aip = a.data[i * k + p];
      for (int64_t j = 0; j < n; ++j)
        c.data[i * n + j] += aip * b.data[p * n + j];
    }
  return c;
}

Tensor add(const Tensor &a, const Tensor &b) {
  Tensor c = a;
  for (size_t i = 0; i < c.data.size(); ++i)
    c.data[i] += b.data[i];
  return c;
}

Tensor normalizeRows(const Tensor &x, const Tensor &gamma, const Tensor &beta,
                     const BlockConfig &config) {
  NormOptions options;
  options.kind = config.norm;
  options.epsilon = config.epsilon;
  options.scale = &gamma;
  if (config.norm == NormKind::Layer)
    options.bias = &beta;
  return normalize(x, options).output;
}

/// Causal multi-head self-attention with the output projection.
Tensor attention(const Tensor &h, const BlockWeights &w, int64_t heads) {
  int64_t seq = h.shape[0], dim = h.shape[1], headDim = dim / heads;
  Tensor q = matmul(h, w.wq), k = matmul(h, w.wk), v = matmul(h, w.wv);
  Tensor context{{seq, dim}, std::vector<double>(seq * dim, 0.0)};
  double scale = 1.0 / std::sqrt(static_cast<double>(headDim));
  std::vector<double> scores(seq);
  for (int64_t head = 0; head < heads; ++head) {
    int64_t base = head * headDim;
    for (int64_t i = 0; i < seq; ++i) {
      double maxScore = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j <= i; ++j) { // positions after i are masked
        double s = 0;
        for (int64_t d = 0; d < headDim; ++d)
          s += q.data[i * dim + base + d] * k.data[j * dim + base + d];
        scores[j] = s * scale;
        maxScore = std::max(maxScore, scores[j]);
      }
      double sum = 0;
      for (int64_t j = 0; j <= i; ++j)
        sum += scores[j] = std::exp(scores[j] - maxScore);
      for (int64_t j = 0; j <= i; ++j)
        for (int64_t d = 0; d < headDim; ++d)
          context.data[i * dim + base + d] +=
              scores[j] / sum * v.data[j * dim + base + d];
    }
  }
  return matmul(context, w.wo);
}

/// SwiGLU: W_down(silu(h W_gate) * (h W_up)).
Tensor feedForward(const Tensor &h, const BlockWeights &w) {
  Tensor gate = matmul(h, w.wGate), up = matmul(h, w.wUp);
  for (size_t i = 0; i < gate.data.size(); ++i) {
    double g = gate.data[i];
    gate.data[i] = g / (1.0 + std::exp(-g)) * up.data[i];
  }
  return matmul(gate, w.wDown);
}
} // namespace

Tensor norm::reference::transformerBlock(const BlockWeights &w,
                                         const BlockConfig &config) {
  if (config.postNorm) {
    Tensor h = normalizeRows(add(w.x, attention(w.x, w, config.heads)),
                             w.norm1Gamma, w.norm1Beta, config);
    return normalizeRows(add(h, feedForward(h, w)), w.norm2Gamma, w.norm2Beta,
                         config);
  }
  Tensor h =
      add(w.x, attention(normalizeRows(w.x, w.norm1Gamma, w.norm1Beta, config),
                         w, config.heads));
  return add(
      h, feedForward(normalizeRows(h, w.norm2Gamma, w.norm2Beta, config), w));
}
