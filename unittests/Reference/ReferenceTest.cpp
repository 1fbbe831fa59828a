//===- ReferenceTest.cpp - Hand-computed cases of the reference -----------===//

#include "norm/Reference/Reference.h"

#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>
#include <stdexcept>

using namespace norm::reference;

namespace {
NormOptions rms(std::vector<int64_t> axes = {-1}, double eps = 0.0) {
  NormOptions options;
  options.axes = std::move(axes);
  options.epsilon = eps;
  return options;
}

NormOptions layer(std::vector<int64_t> axes = {-1}, double eps = 0.0) {
  NormOptions options = rms(std::move(axes), eps);
  options.kind = NormKind::Layer;
  return options;
}

void expectNear(const std::vector<double> &got, const std::vector<double> &want,
                double tol = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

TEST(Reference, RMSOfOneToFour) {
  // mean(x^2) = 30 / 4 = 7.5, y = x / sqrt(7.5) = x * 0.365148...
  NormResult r = normalize({{4}, {1, 2, 3, 4}}, rms());
  double inv = 1.0 / std::sqrt(7.5);
  expectNear(r.output.data, {inv, 2 * inv, 3 * inv, 4 * inv});
  EXPECT_EQ(r.invStd.shape, (std::vector<int64_t>{1}));
  expectNear(r.invStd.data, {inv});
  EXPECT_TRUE(r.mean.data.empty());
}

TEST(Reference, LayerOfOneToFour) {
  // mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
  NormResult r = normalize({{1, 4}, {1, 2, 3, 4}}, layer());
  double inv = 1.0 / std::sqrt(1.25);
  expectNear(r.output.data, {-1.5 * inv, -0.5 * inv, 0.5 * inv, 1.5 * inv});
  expectNear(r.mean.data, {2.5});
  expectNear(r.invStd.data, {inv});
  EXPECT_EQ(r.mean.shape, (std::vector<int64_t>{1, 1}));
}

TEST(Reference, ZeroVectorGivesZerosNotNaN) {
  for (NormOptions options : {rms(), layer()}) {
    NormResult r = normalize({{2, 3}, std::vector<double>(6, 0.0)}, options);
    for (double y : r.output.data)
      EXPECT_EQ(y, 0.0);
    // rsqrt(max(0 + 0, FLT_MIN)) = 2^63.
    expectNear(r.invStd.data, {std::ldexp(1.0, 63), std::ldexp(1.0, 63)}, 1);
  }
}

TEST(Reference, OneElement) {
  NormResult r = normalize({{1}, {-3}}, rms());
  expectNear(r.output.data, {-1});
  NormResult l = normalize({{1}, {-3}}, layer({-1}, 1e-5));
  expectNear(l.output.data, {0});
}

TEST(Reference, SeveralNonContiguousAxes) {
  // Shape [2, 3, 2], axes {0, 2}: row j holds x[i][j][k] for all i, k.
  Tensor x{{2, 3, 2}, {}};
  for (int i = 0; i < 12; ++i)
    x.data.push_back(i * i % 7);
  NormResult r = normalize(x, layer({2, -3}));
  for (int j = 0; j < 3; ++j) {
    double values[4], mean = 0, var = 0;
    for (int i = 0; i < 2; ++i)
      for (int k = 0; k < 2; ++k)
        mean += values[i * 2 + k] = x.data[i * 6 + j * 2 + k];
    mean /= 4;
    for (double v : values)
      var += (v - mean) * (v - mean) / 4;
    for (int i = 0; i < 2; ++i)
      for (int k = 0; k < 2; ++k)
        EXPECT_NEAR(r.output.data[i * 6 + j * 2 + k],
                    (x.data[i * 6 + j * 2 + k] - mean) / std::sqrt(var), 1e-12);
    EXPECT_NEAR(r.mean.data[j], mean, 1e-12);
  }
  EXPECT_EQ(r.mean.shape, (std::vector<int64_t>{1, 3, 1}));
}

TEST(Reference, BroadcastScaleAndBias) {
  Tensor scale{{2, 1}, {2, 3}}, bias{{1, 1}, {0.5}};
  NormOptions options = rms({0, 1});
  options.scale = &scale;
  options.bias = &bias;
  // All four elements are 1: rms 1, y = scale[i] + 0.5.
  NormResult r = normalize({{2, 2}, {1, 1, 1, 1}}, options);
  expectNear(r.output.data, {2.5, 2.5, 3.5, 3.5});
}

TEST(Reference, PerFeatureEpsilon) {
  Tensor eps{{2}, {0.0, 3.0}};
  NormOptions options = rms();
  options.featureEpsilon = &eps;
  // mean(x^2) = 1: feature 0 uses rsqrt(1), feature 1 rsqrt(4).
  NormResult r = normalize({{2}, {1, -1}}, options);
  expectNear(r.output.data, {1.0, -0.5});
  EXPECT_TRUE(r.invStd.data.empty());
}

TEST(Reference, EmptyTensors) {
  NormResult noRows = normalize({{0, 4}, {}}, layer());
  EXPECT_TRUE(noRows.output.data.empty());
  EXPECT_TRUE(noRows.mean.data.empty());
  // Rows without features: statistics exist, mean 0, rsqrt(eps).
  NormResult noFeatures = normalize({{3, 0}, {}}, layer({-1}, 0.25));
  EXPECT_TRUE(noFeatures.output.data.empty());
  expectNear(noFeatures.mean.data, {0, 0, 0});
  expectNear(noFeatures.invStd.data, {2, 2, 2});
}

TEST(Reference, RejectsBadAxesAndShapes) {
  EXPECT_THROW(canonicalAxes({}, 2), std::invalid_argument);
  EXPECT_THROW(canonicalAxes({2}, 2), std::invalid_argument);
  EXPECT_THROW(canonicalAxes({1, -1}, 2), std::invalid_argument);
  EXPECT_EQ(canonicalAxes({-1, 0}, 3), (std::vector<int64_t>{0, 2}));
  Tensor scale{{3}, {1, 1, 1}};
  NormOptions options = rms();
  options.scale = &scale;
  EXPECT_THROW(normalize({{2, 4}, std::vector<double>(8, 1)}, options),
               std::invalid_argument);
}
} // namespace
