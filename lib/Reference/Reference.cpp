//===- Reference.cpp - Float64 reference semantics of the norm ops --------===//

#include "norm/Reference/Reference.h"

#include <algorithm>
#include <cmath>
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
  for (int64_t axis : axes) {
    if (axis < -rank || axis >= rank)
      throw std::invalid_argument("axis " + std::to_string(axis) +
                                  " out of range for rank " +
                                  std::to_string(rank));
    result.push_back(axis < 0 ? axis + rank : axis);
  }
  std::sort(result.begin(), result.end());
  if (std::adjacent_find(result.begin(), result.end()) != result.end())
    throw std::invalid_argument("repeated axis");
  return result;
}

// The input's index space splits into rows (kept dims) and features
// (normalized dims): element offset = row offset + feature offset.
namespace {
std::vector<int64_t> strides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> result(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    result[d] = result[d + 1] * shape[d + 1];
  return result;
}

/// Offsets of every index of `dims` (a subset of the input dims), in
/// row-major order over those dims.
std::vector<int64_t> offsets(const std::vector<int64_t> &shape,
                             const std::vector<int64_t> &dims) {
  std::vector<int64_t> inputStrides = strides(shape);
  std::vector<int64_t> result = {0};
  for (int64_t dim : dims) {
    std::vector<int64_t> next;
    next.reserve(result.size() * shape[dim]);
    for (int64_t base : result)
      for (int64_t i = 0; i < shape[dim]; ++i)
        next.push_back(base + i * inputStrides[dim]);
    result = std::move(next);
  }
  return result;
}

/// Flat index into `param` of every feature (row-major over the normalized
/// dims), honouring broadcast dims of size 1.
std::vector<int64_t> parameterIndices(const Tensor &param,
                                      const std::vector<int64_t> &shape,
                                      const std::vector<int64_t> &axes,
                                      const char *name) {
  if (param.shape.size() != axes.size())
    throw std::invalid_argument(std::string(name) +
                                " must have one dim per normalized axis");
  std::vector<int64_t> paramStrides = strides(param.shape);
  std::vector<int64_t> result = {0};
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t size = shape[axes[k]];
    int64_t paramDim = param.shape[k];
    if (paramDim != size && paramDim != 1)
      throw std::invalid_argument(std::string(name) + " dim " +
                                  std::to_string(k) + " must be 1 or " +
                                  std::to_string(size));
    std::vector<int64_t> next;
    next.reserve(result.size() * size);
    for (int64_t base : result)
      for (int64_t i = 0; i < size; ++i)
        next.push_back(base + (paramDim == 1 ? 0 : i * paramStrides[k]));
    result = std::move(next);
  }
  return result;
}
} // namespace

NormResult norm::reference::normalize(const Tensor &input,
                                      const NormOptions &options) {
  const std::vector<int64_t> &shape = input.shape;
  int64_t rank = shape.size();
  std::vector<int64_t> axes = canonicalAxes(options.axes, rank);
  std::vector<int64_t> kept;
  for (int64_t d = 0; d < rank; ++d)
    if (!std::binary_search(axes.begin(), axes.end(), d))
      kept.push_back(d);
  std::vector<int64_t> rowOffsets = offsets(shape, kept);
  std::vector<int64_t> featureOffsets = offsets(shape, axes);

  struct Param {
    const Tensor *tensor;
    std::vector<int64_t> index;
  } params[3] = {
      {options.scale, {}}, {options.bias, {}}, {options.featureEpsilon, {}}};
  const char *names[] = {"scale", "bias", "feature_epsilon"};
  for (int k = 0; k < 3; ++k)
    if (params[k].tensor)
      params[k].index =
          parameterIndices(*params[k].tensor, shape, axes, names[k]);

  NormResult result;
  result.output = {shape, std::vector<double>(input.data.size())};
  std::vector<int64_t> statShape = shape;
  for (int64_t axis : axes)
    statShape[axis] = 1;
  bool layer = options.kind == NormKind::Layer;
  bool perFeature = options.featureEpsilon != nullptr;
  int64_t numRows = 1;
  for (int64_t d : kept)
    numRows *= shape[d];
  if (layer)
    result.mean = {statShape, std::vector<double>(numRows, 0.0)};
  if (!perFeature)
    result.invStd = {statShape, std::vector<double>(numRows, 0.0)};

  double count = std::max<double>(featureOffsets.size(), 1.0);
  auto inverseRoot = [&](double meanValue, double eps) {
    return 1.0 / std::sqrt(std::max(meanValue + eps, options.tiny));
  };
  // Rows with zero features still get statistics (mean 0, variance 0).
  bool noFeatures = std::any_of(axes.begin(), axes.end(),
                                [&](int64_t axis) { return shape[axis] == 0; });
  size_t rowCount = noFeatures ? numRows : rowOffsets.size();
  for (size_t r = 0; r < rowCount; ++r) {
    int64_t base = noFeatures ? 0 : rowOffsets[r];
    double mean = 0.0;
    if (layer && !noFeatures) {
      for (int64_t f : featureOffsets)
        mean += input.data[base + f];
      mean /= count;
    }
    double sumSquares = 0.0;
    if (!noFeatures)
      for (int64_t f : featureOffsets) {
        double centered = input.data[base + f] - mean;
        sumSquares += centered * centered;
      }
    double moment = sumSquares / count;
    double rowInv = inverseRoot(moment, options.epsilon);
    if (layer)
      result.mean.data[r] = mean;
    if (!perFeature)
      result.invStd.data[r] = rowInv;
    if (noFeatures)
      continue;
    for (size_t f = 0; f < featureOffsets.size(); ++f) {
      double inv =
          perFeature
              ? inverseRoot(moment, params[2].tensor->data[params[2].index[f]])
              : rowInv;
      double y = (input.data[base + featureOffsets[f]] - mean) * inv;
      if (params[0].tensor)
        y *= params[0].tensor->data[params[0].index[f]];
      if (params[1].tensor)
        y += params[1].tensor->data[params[1].index[f]];
      result.output.data[base + featureOffsets[f]] = y;
    }
  }
  return result;
}
