//===- GradientTest.cpp - The reference gradients vs finite differences ---===//
//
// normalizeGrad against central finite differences of normalize (both in
// float64) for L = sum(dy * y): every element of dx and of each parameter
// gradient, over the forms the ops accept (both kinds, several axes,
// broadcast parameters, a per-feature epsilon, outliers, large means).
//
//===----------------------------------------------------------------------===//

#include "norm/Reference/Reference.h"

#include "gtest/gtest.h"

#include <cmath>
#include <functional>
#include <random>

using namespace norm::reference;

namespace {
using Shape = std::vector<int64_t>;

Tensor random(Shape shape, std::mt19937 &gen, double lo = -2.0,
              double hi = 2.0) {
  Tensor t{std::move(shape), {}};
  std::uniform_real_distribution<double> dist(lo, hi);
  for (int64_t i = 0; i < t.numElements(); ++i)
    t.data.push_back(dist(gen));
  return t;
}

struct Case {
  NormKind kind;
  Shape shape, axes;
  Shape scaleShape, biasShape, epsShape; // empty: absent
  double epsilon;
  bool scaleOffset = false;
};

/// L(x, params) = sum(dy * normalize(x, params)).
double loss(const Tensor &x, const Tensor &dy, NormOptions options) {
  NormResult result = normalize(x, options);
  double sum = 0.0;
  for (size_t i = 0; i < dy.data.size(); ++i)
    sum += dy.data[i] * result.output.data[i];
  return sum;
}

/// Checks each element of `grad` against the central difference of L in
/// `value` (an input of L, perturbed in place). The step is relative to the
/// element's magnitude; the tolerance covers the O(h^2) truncation and the
/// rounding of L / h.
void checkAgainstDifferences(const char *name, Tensor &value,
                             const Tensor &grad,
                             const std::function<double()> &evaluate) {
  ASSERT_EQ(value.data.size(), grad.data.size()) << name;
  for (size_t i = 0; i < value.data.size(); ++i) {
    double saved = value.data[i];
    double h = 1e-6 * std::max(1.0, std::fabs(saved));
    value.data[i] = saved + h;
    double up = evaluate();
    value.data[i] = saved - h;
    double down = evaluate();
    value.data[i] = saved;
    double numeric = (up - down) / (2 * h);
    EXPECT_NEAR(grad.data[i], numeric, 1e-5 * std::max(1.0, std::fabs(numeric)))
        << name << "[" << i << "]";
  }
}

void checkCase(const Case &c, unsigned seed) {
  std::mt19937 gen(seed);
  Tensor x = random(c.shape, gen);
  Tensor dy = random(c.shape, gen);
  Tensor scale = random(c.scaleShape, gen, 0.5, 1.5);
  Tensor bias = random(c.biasShape, gen);
  Tensor eps = random(c.epsShape, gen, 0.01, 0.5);
  NormOptions options;
  options.kind = c.kind;
  options.axes = c.axes;
  options.epsilon = c.epsilon;
  options.tiny = 1e-300;
  options.scaleOffset = c.scaleOffset;
  if (!c.scaleShape.empty())
    options.scale = &scale;
  if (!c.biasShape.empty())
    options.bias = &bias;
  if (!c.epsShape.empty())
    options.featureEpsilon = &eps;
  GradResult grad = normalizeGrad(x, dy, options);
  auto evaluate = [&] { return loss(x, dy, options); };
  checkAgainstDifferences("dx", x, grad.inputGrad, evaluate);
  if (options.scale)
    checkAgainstDifferences("dscale", scale, grad.scaleGrad, evaluate);
  if (options.bias)
    checkAgainstDifferences("dbias", bias, grad.biasGrad, evaluate);
  if (options.featureEpsilon)
    checkAgainstDifferences("dfeature_epsilon", eps, grad.featureEpsilonGrad,
                            evaluate);
}

class GradientTest : public ::testing::TestWithParam<NormKind> {};

TEST_P(GradientTest, LastAxis) {
  checkCase({GetParam(), {3, 7}, {-1}, {7}, {7}, {}, 1e-3}, 1);
}

TEST_P(GradientTest, SeveralAxesAndBroadcastParameters) {
  checkCase({GetParam(), {2, 3, 4}, {1, 2}, {3, 1}, {1, 4}, {}, 1e-2}, 2);
  checkCase({GetParam(), {4, 3, 2}, {0, 2}, {1, 1}, {4, 2}, {}, 1e-2}, 3);
}

TEST_P(GradientTest, LeadingAxis) {
  checkCase({GetParam(), {5, 3}, {0}, {5}, {}, {}, 1e-4}, 4);
}

TEST_P(GradientTest, FeatureEpsilon) {
  checkCase({GetParam(), {3, 6}, {-1}, {6}, {6}, {6}, 0.0}, 5);
  checkCase({GetParam(), {2, 2, 3}, {1, 2}, {}, {}, {1, 3}, 0.0}, 6);
}

// g = dy * (1 + scale); dscale is still the sum of dy * xhat.
TEST_P(GradientTest, ScaleOffset) {
  checkCase({GetParam(), {3, 7}, {-1}, {7}, {7}, {}, 1e-3, true}, 8);
  checkCase({GetParam(), {2, 3, 4}, {1, 2}, {3, 1}, {}, {}, 1e-2, true}, 9);
}

// The casting modes round the forward only: the gradient of a llama
// forward is that of its compute form.
TEST_P(GradientTest, CastingDoesNotChangeTheGradient) {
  std::mt19937 gen(10);
  Tensor x = random({3, 8}, gen), dy = random({3, 8}, gen);
  Tensor scale = random({8}, gen);
  NormOptions options;
  options.kind = GetParam();
  options.scale = &scale;
  GradResult plain = normalizeGrad(x, dy, options);
  options.casting = Casting::Llama;
  options.roundToInput = roundToBF16;
  GradResult llama = normalizeGrad(x, dy, options);
  EXPECT_EQ(plain.inputGrad.data, llama.inputGrad.data);
  EXPECT_EQ(plain.scaleGrad.data, llama.scaleGrad.data);
}

TEST_P(GradientTest, NoParameters) {
  checkCase({GetParam(), {4, 9}, {-1}, {}, {}, {}, 0.0}, 7);
}

INSTANTIATE_TEST_SUITE_P(Kinds, GradientTest,
                         ::testing::Values(NormKind::RMS, NormKind::Layer),
                         [](const auto &info) {
                           return info.param == NormKind::RMS
                                      ? std::string("RMS")
                                      : std::string("Layer");
                         });

/// An outlier and a large mean: the formulas stay exact in float64.
TEST(GradientTest, OutlierAndLargeMean) {
  std::mt19937 gen(8);
  Tensor x = random({2, 16}, gen);
  x.data[0] = 1000.0;
  for (int f = 0; f < 16; ++f)
    x.data[16 + f] += 1000.0;
  Tensor dy = random({2, 16}, gen);
  for (NormKind kind : {NormKind::RMS, NormKind::Layer}) {
    NormOptions options;
    options.kind = kind;
    options.epsilon = 1e-5;
    GradResult grad = normalizeGrad(x, dy, options);
    Tensor xCopy = x;
    checkAgainstDifferences("dx", xCopy, grad.inputGrad,
                            [&] { return loss(xCopy, dy, options); });
  }
}

/// A zero row with epsilon 0 is clamped: its inverse root is constant, so
/// dx = r * g (RMS) and r * (g - mean(g)) (Layer), and nothing is NaN.
TEST(GradientTest, ClampedZeroRow) {
  Tensor x{{1, 4}, {0, 0, 0, 0}};
  Tensor dy{{1, 4}, {1, 2, 3, 6}};
  NormOptions options;
  options.epsilon = 0.0;
  double r = 1.0 / std::sqrt(options.tiny);
  GradResult rms = normalizeGrad(x, dy, options);
  for (int f = 0; f < 4; ++f)
    EXPECT_DOUBLE_EQ(rms.inputGrad.data[f], r * dy.data[f]);
  options.kind = NormKind::Layer;
  GradResult layer = normalizeGrad(x, dy, options);
  for (int f = 0; f < 4; ++f)
    EXPECT_DOUBLE_EQ(layer.inputGrad.data[f], r * (dy.data[f] - 3.0));
}

TEST(GradientTest, RejectsMismatchedOutputGrad) {
  Tensor x{{2, 2}, {1, 2, 3, 4}};
  Tensor dy{{4}, {1, 2, 3, 4}};
  EXPECT_THROW(normalizeGrad(x, dy, NormOptions()), std::invalid_argument);
}
} // namespace
