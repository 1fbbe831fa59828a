//===- Reference.cpp - Float64 reference semantics of norm ops ------------===//
//
// The input's index space splits into rows (the kept dims) and features (the
// normalized dims): element offset = row offset + feature offset. Rows are
// walked with an odometer; feature offsets are tabulated once per call, and
// skipped entirely when they are 0..N-1 (trailing axes, the common case).
//
//===----------------------------------------------------------------------===//

#include "norm/Reference/Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

using namespace norm::reference;

int64_t Tensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

std::vector<int64_t>
norm::reference::canonicalAxes(const std::vector<int64_t> &axes, int64_t rank) {
  if (axes.empty())
    throw std::invalid_argument("no normalized axes");
  std::vector<int64_t> result;
  result.reserve(axes.size());
  for (int64_t axis : axes) {
    if (axis < -rank || axis >= rank)
      throw std::invalid_argument("axis " + std::to_string(axis) +
                                  " out of range for rank " +
                                  std::to_string(rank));
    result.push_back(axis < 0 ? axis + rank : axis);
  }
  std::sort(result.begin(), result.end());
  if (std::adjacent_find(result.begin(), result.end()) != result.end())
    throw std::invalid_argument("repeated normalized axis");
  return result;
}

namespace {
std::vector<int64_t> rowMajorStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  return strides;
}

void checkShape(const Tensor &tensor, const std::string &name) {
  for (int64_t dim : tensor.shape)
    if (dim < 0)
      throw std::invalid_argument(name + " has a negative dim");
  if (static_cast<int64_t>(tensor.data.size()) != tensor.numElements())
    throw std::invalid_argument(
        name + " holds " + std::to_string(tensor.data.size()) +
        " values, its shape needs " + std::to_string(tensor.numElements()));
}

/// Offset of each feature (row-major over `sizes`) given per-dim `strides`.
/// Stores nothing when the offsets are simply 0..N-1.
class FeatureOffsets {
public:
  FeatureOffsets(const std::vector<int64_t> &sizes,
                 const std::vector<int64_t> &strides) {
    int64_t count = 1;
    for (int64_t size : sizes)
      count *= size;
    table.resize(count);
    std::vector<int64_t> index(sizes.size(), 0);
    int64_t offset = 0;
    bool identity = true;
    for (int64_t f = 0; f < count; ++f) {
      table[f] = offset;
      identity &= offset == f;
      for (size_t k = sizes.size(); k-- > 0;) {
        offset += strides[k];
        if (++index[k] < sizes[k])
          break;
        offset -= strides[k] * sizes[k];
        index[k] = 0;
      }
    }
    if (identity)
      table = {};
    isIdentity = identity;
  }

  int64_t operator[](int64_t f) const { return isIdentity ? f : table[f]; }

private:
  std::vector<int64_t> table;
  bool isIdentity = true;
};

/// Offsets into an affine parameter (scale, bias, per-feature epsilon) after
/// checking its shape against the normalized dims.
FeatureOffsets parameterOffsets(const Tensor &param,
                                const std::vector<int64_t> &featureSizes,
                                const std::string &name) {
  checkShape(param, name);
  if (param.shape.size() != featureSizes.size())
    throw std::invalid_argument(name + " has rank " +
                                std::to_string(param.shape.size()) +
                                ", expected one dim per normalized axis (" +
                                std::to_string(featureSizes.size()) + ")");
  std::vector<int64_t> strides = rowMajorStrides(param.shape);
  for (size_t k = 0; k < featureSizes.size(); ++k) {
    if (param.shape[k] == featureSizes[k])
      continue;
    if (param.shape[k] != 1)
      throw std::invalid_argument(name + " dim " + std::to_string(k) + " is " +
                                  std::to_string(param.shape[k]) +
                                  ", expected 1 or " +
                                  std::to_string(featureSizes[k]));
    strides[k] = 0; // broadcast
  }
  return FeatureOffsets(featureSizes, strides);
}

/// The input's index space split into rows (the kept dims) and features (the
/// normalized dims), with each feature's offset in the input and in every
/// parameter given, after checking their shapes.
struct RowLayout {
  int64_t numRows = 1, numFeatures = 1;
  std::vector<int64_t> featureSizes, rowSizes, rowStrides;
  FeatureOffsets input{{}, {}}, scale{{}, {}}, bias{{}, {}},
      featureEpsilon{{}, {}};

  RowLayout(const std::vector<int64_t> &shape, const NormOptions &options) {
    int64_t rank = shape.size();
    std::vector<int64_t> axes = canonicalAxes(options.axes, rank);
    std::vector<int64_t> strides = rowMajorStrides(shape);
    std::vector<int64_t> featureStrides;
    for (int64_t d = 0; d < rank; ++d) {
      bool normalized = std::binary_search(axes.begin(), axes.end(), d);
      (normalized ? featureSizes : rowSizes).push_back(shape[d]);
      (normalized ? featureStrides : rowStrides).push_back(strides[d]);
    }
    for (int64_t size : featureSizes)
      numFeatures *= size;
    for (int64_t size : rowSizes)
      numRows *= size;
    input = FeatureOffsets(featureSizes, featureStrides);
    if (options.scale)
      scale = parameterOffsets(*options.scale, featureSizes, "scale");
    if (options.bias)
      bias = parameterOffsets(*options.bias, featureSizes, "bias");
    if (options.featureEpsilon)
      featureEpsilon = parameterOffsets(*options.featureEpsilon, featureSizes,
                                        "featureEpsilon");
  }

  /// The mean (0 unless `centered`) and the second moment about it of the
  /// row at `base`, in two passes. An empty row divides by 1, so its
  /// statistics are mean 0, moment 0.
  std::pair<double, double> moments(const double *x, int64_t base,
                                    bool centered) const {
    double count = static_cast<double>(std::max<int64_t>(numFeatures, 1));
    double mean = 0.0;
    if (centered) {
      for (int64_t f = 0; f < numFeatures; ++f)
        mean += x[base + input[f]];
      mean /= count;
    }
    double sumSquares = 0.0;
    for (int64_t f = 0; f < numFeatures; ++f) {
      double centred = x[base + input[f]] - mean;
      sumSquares += centred * centred;
    }
    return {mean, sumSquares / count};
  }

  /// Calls fn(row, offset of the row's first element) for every row, in
  /// row-major order of the kept dims.
  template <typename Fn> void forEachRow(Fn fn) const {
    std::vector<int64_t> rowIndex(rowSizes.size(), 0);
    int64_t base = 0;
    for (int64_t r = 0; r < numRows; ++r) {
      fn(r, base);
      for (size_t k = rowSizes.size(); k-- > 0;) {
        base += rowStrides[k];
        if (++rowIndex[k] < rowSizes[k])
          break;
        base -= rowStrides[k] * rowSizes[k];
        rowIndex[k] = 0;
      }
    }
  }
};

/// The scale factor: `scale`, or 1 + scale with `scale_offset`.
double scaleFactor(double scale, const NormOptions &options) {
  return options.scaleOffset ? 1.0 + scale : scale;
}

/// xhat [* factor] [+ bias] (absent parameters null), each operation
/// rounded to the input type with llama casting. The double product of two
/// values of at most 24 bits is exact and the double sum of two such values
/// rounded again to them is correctly rounded (53 >= 2 * 24 + 2), so each
/// step is the input type's own correctly rounded operation.
double affine(double xhat, const double *scale, const double *bias,
              const NormOptions &options) {
  auto round = [&](double value) {
    bool rounds = options.casting == Casting::Llama && options.roundToInput;
    return rounds ? options.roundToInput(value) : value;
  };
  double y = round(xhat);
  if (scale)
    y = round(y * round(scaleFactor(*scale, options)));
  if (bias)
    y = round(y + round(*bias));
  return y;
}
} // namespace

NormResult norm::reference::normalize(const Tensor &input,
                                      const NormOptions &options) {
  checkShape(input, "input");
  const std::vector<int64_t> &shape = input.shape;
  RowLayout layout(shape, options);
  int64_t numFeatures = layout.numFeatures;
  const Tensor *scale = options.scale, *bias = options.bias,
               *featureEps = options.featureEpsilon;

  bool layer = options.kind == NormKind::Layer;
  NormResult result;
  result.output = {shape, std::vector<double>(input.data.size())};
  std::vector<int64_t> statShape = shape;
  for (int64_t axis : canonicalAxes(options.axes, shape.size()))
    statShape[axis] = 1;
  if (layer)
    result.mean = {statShape, std::vector<double>(layout.numRows)};
  if (!featureEps)
    result.invStd = {statShape, std::vector<double>(layout.numRows)};

  auto inverseRoot = [&](double moment, double eps) {
    return 1.0 / std::sqrt(std::max(moment + eps, options.tiny));
  };

  const double *x = input.data.data();
  double *y = result.output.data.data();
  layout.forEachRow([&](int64_t r, int64_t base) {
    auto [mean, moment] = layout.moments(x, base, layer);
    double rowInv = inverseRoot(moment, options.epsilon);
    if (layer)
      result.mean.data[r] = mean;
    if (!featureEps)
      result.invStd.data[r] = rowInv;

    for (int64_t f = 0; f < numFeatures; ++f) {
      double inv =
          featureEps
              ? inverseRoot(moment, featureEps->data[layout.featureEpsilon[f]])
              : rowInv;
      int64_t offset = base + layout.input[f];
      y[offset] = affine((x[offset] - mean) * inv,
                         scale ? &scale->data[layout.scale[f]] : nullptr,
                         bias ? &bias->data[layout.bias[f]] : nullptr, options);
    }
  });
  return result;
}

GradResult norm::reference::normalizeGrad(const Tensor &input,
                                          const Tensor &outputGrad,
                                          const NormOptions &options) {
  checkShape(input, "input");
  checkShape(outputGrad, "outputGrad");
  if (outputGrad.shape != input.shape)
    throw std::invalid_argument("outputGrad's shape differs from the input's");
  RowLayout layout(input.shape, options);
  int64_t numFeatures = layout.numFeatures;
  const Tensor *scale = options.scale, *bias = options.bias,
               *featureEps = options.featureEpsilon;

  GradResult result;
  result.inputGrad = {input.shape, std::vector<double>(input.data.size())};
  auto zerosLike = [](const Tensor *param) {
    return param ? Tensor{param->shape,
                          std::vector<double>(param->data.size(), 0.0)}
                 : Tensor{};
  };
  result.scaleGrad = zerosLike(scale);
  result.biasGrad = zerosLike(bias);
  result.featureEpsilonGrad = zerosLike(featureEps);

  bool layer = options.kind == NormKind::Layer;
  double count = static_cast<double>(std::max<int64_t>(numFeatures, 1));
  const double *x = input.data.data(), *dy = outputGrad.data.data();
  double *dx = result.inputGrad.data.data();
  // Per feature of the current row: r, xhat, g and the clamp's weight.
  std::vector<double> r(numFeatures), xhat(numFeatures), g(numFeatures),
      w(numFeatures);
  layout.forEachRow([&](int64_t, int64_t base) {
    auto [mean, moment] = layout.moments(x, base, layer);
    // dx_j = g_j r_j - [layer] mean(g r) - d_j mean(g xhat w), w = r^2
    // where the clamp is inactive (the forward's derivative; with one r per
    // row this is r (g - mean(g) - xhat mean(g xhat))).
    double sumGR = 0.0, sumGXhatW = 0.0;
    for (int64_t f = 0; f < numFeatures; ++f) {
      int64_t offset = base + layout.input[f];
      double eps = featureEps ? featureEps->data[layout.featureEpsilon[f]]
                              : options.epsilon;
      bool clamped = !(moment + eps > options.tiny);
      r[f] = 1.0 / std::sqrt(std::max(moment + eps, options.tiny));
      w[f] = clamped ? 0.0 : r[f] * r[f];
      xhat[f] = (x[offset] - mean) * r[f];
      g[f] = dy[offset] *
             (scale ? scaleFactor(scale->data[layout.scale[f]], options) : 1.0);
      sumGR += g[f] * r[f];
      sumGXhatW += g[f] * xhat[f] * w[f];
    }
    for (int64_t f = 0; f < numFeatures; ++f) {
      int64_t offset = base + layout.input[f];
      double value = g[f] * r[f] - (x[offset] - mean) * (sumGXhatW / count);
      if (layer)
        value -= sumGR / count;
      dx[offset] = value;
      if (scale)
        result.scaleGrad.data[layout.scale[f]] += dy[offset] * xhat[f];
      if (bias)
        result.biasGrad.data[layout.bias[f]] += dy[offset];
      if (featureEps)
        result.featureEpsilonGrad.data[layout.featureEpsilon[f]] +=
            -0.5 * g[f] * xhat[f] * w[f];
    }
  });
  return result;
}

namespace {
/// Rounds to a binary format with `precision` significand bits (implicit bit
/// included), minimum normal exponent `minExponent` and maximum finite
/// exponent `maxExponent`. Scaling by powers of two is exact, so the single
/// std::nearbyint (ties to even in the default rounding mode) is the only
/// rounding; subnormals come out of clamping the quantum at the minimum.
double roundToFormat(double value, int precision, int minExponent,
                     int maxExponent) {
  if (!std::isfinite(value) || value == 0.0)
    return value;
  int exponent = std::max(std::ilogb(value), minExponent);
  int quantum = exponent - (precision - 1);
  double rounded =
      std::ldexp(std::nearbyint(std::ldexp(value, -quantum)), quantum);
  double maxFinite =
      std::ldexp(2.0 - std::ldexp(1.0, 1 - precision), maxExponent);
  if (std::fabs(rounded) > maxFinite)
    return std::copysign(std::numeric_limits<double>::infinity(), value);
  return rounded;
}
} // namespace

double norm::reference::roundToF32(double value) {
  return roundToFormat(value, 24, -126, 127);
}

double norm::reference::roundToF16(double value) {
  return roundToFormat(value, 11, -14, 15);
}

double norm::reference::roundToBF16(double value) {
  return roundToFormat(value, 8, -126, 127);
}
