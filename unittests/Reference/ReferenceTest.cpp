//===- ReferenceTest.cpp - Hand-computed cases of the float64 reference ---===//

#include "norm/Reference/Reference.h"

#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>

using namespace norm::reference;

namespace {
using Shape = std::vector<int64_t>;

NormOptions rms(Shape axes = {-1}, double eps = 0.0) {
  NormOptions options;
  options.axes = std::move(axes);
  options.epsilon = eps;
  return options;
}

NormOptions layer(Shape axes = {-1}, double eps = 0.0) {
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

Tensor random(Shape shape, unsigned seed) {
  Tensor t{std::move(shape), {}};
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-2.0, 2.0);
  for (int64_t i = 0; i < t.numElements(); ++i)
    t.data.push_back(dist(gen));
  return t;
}

/// Independent of the implementation: every element's multi-index is
/// decoded from scratch and rows are grouped by their kept indices in a map.
struct BruteForce {
  std::vector<double> output, mean, invStd;
};
BruteForce bruteForce(const Tensor &x, const Shape &axes, bool isLayer,
                      double eps, const Tensor *scale = nullptr,
                      const Tensor *bias = nullptr) {
  size_t rank = x.shape.size();
  auto isAxis = [&](size_t d) {
    for (int64_t a : axes)
      if (static_cast<size_t>(a) == d)
        return true;
    return false;
  };
  auto decode = [&](int64_t flat) {
    Shape index(rank);
    for (size_t d = rank; d-- > 0;) {
      index[d] = flat % x.shape[d];
      flat /= x.shape[d];
    }
    return index;
  };
  // Flat index of the normalized part into a parameter, broadcasting dims 1.
  auto paramIndex = [&](const Tensor &p, const Shape &index) {
    int64_t flat = 0, k = 0;
    for (size_t d = 0; d < rank; ++d)
      if (isAxis(d)) {
        flat = flat * p.shape[k] + (p.shape[k] == 1 ? 0 : index[d]);
        ++k;
      }
    return flat;
  };
  auto rowKey = [&](const Shape &index) {
    Shape key;
    for (size_t d = 0; d < rank; ++d)
      if (!isAxis(d))
        key.push_back(index[d]);
    return key;
  };
  std::map<Shape, std::vector<double>> rows;
  for (int64_t i = 0; i < x.numElements(); ++i)
    rows[rowKey(decode(i))].push_back(x.data[i]);
  std::map<Shape, std::pair<double, double>> stats; // mean, inv
  BruteForce result;
  for (auto &[key, values] : rows) {
    double mean = 0, var = 0;
    if (isLayer) {
      for (double v : values)
        mean += v;
      mean /= values.size();
    }
    for (double v : values)
      var += (v - mean) * (v - mean);
    var /= values.size();
    stats[key] = {mean, 1 / std::sqrt(var + eps)};
    result.mean.push_back(mean);
    result.invStd.push_back(1 / std::sqrt(var + eps));
  }
  for (int64_t i = 0; i < x.numElements(); ++i) {
    Shape index = decode(i);
    auto [mean, inv] = stats[rowKey(index)];
    double y = (x.data[i] - mean) * inv;
    if (scale)
      y *= scale->data[paramIndex(*scale, index)];
    if (bias)
      y += bias->data[paramIndex(*bias, index)];
    result.output.push_back(y);
  }
  return result;
}

TEST(Reference, RMSOfOneToFour) {
  // sum(x^2) = 1 + 4 + 9 + 16 = 30, mean square 7.5,
  // inv_rms = 1 / sqrt(7.5) = sqrt(2 / 15) = 0.3651483716701107...
  NormResult r = normalize({{4}, {1, 2, 3, 4}}, rms());
  expectNear(r.output.data, {0.3651483716701107, 0.7302967433402214,
                             1.0954451150103321, 1.4605934866804429});
  EXPECT_EQ(r.invStd.shape, Shape{1});
  expectNear(r.invStd.data, {0.3651483716701107});
  EXPECT_TRUE(r.mean.shape.empty());
  EXPECT_TRUE(r.mean.data.empty());
}

TEST(Reference, LayerOfOneToFour) {
  // mean 10 / 4 = 2.5; centred -1.5 -0.5 0.5 1.5; variance
  // (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25; inv_std = 2 / sqrt(5) =
  // 0.8944271909999159; y = centred * inv_std.
  NormResult r = normalize({{1, 4}, {1, 2, 3, 4}}, layer());
  expectNear(r.output.data, {-1.3416407864998738, -0.4472135954999579,
                             0.4472135954999579, 1.3416407864998738});
  EXPECT_EQ(r.mean.shape, (Shape{1, 1}));
  expectNear(r.mean.data, {2.5});
  EXPECT_EQ(r.invStd.shape, (Shape{1, 1}));
  expectNear(r.invStd.data, {0.8944271909999159});
}

TEST(Reference, EpsilonEntersUnderTheRoot) {
  // mean square 7.5 + eps 0.5 = 8: inv_rms = 1 / sqrt(8).
  NormResult r = normalize({{4}, {1, 2, 3, 4}}, rms({-1}, 0.5));
  expectNear(r.invStd.data, {1 / std::sqrt(8.0)});
  expectNear(r.output.data, {1 / std::sqrt(8.0), 2 / std::sqrt(8.0),
                             3 / std::sqrt(8.0), 4 / std::sqrt(8.0)});
}

TEST(Reference, ZeroVectorGivesZerosNotNaN) {
  for (double eps : {0.0, 1e-5})
    for (NormOptions options : {rms({-1}, eps), layer({-1}, eps)}) {
      NormResult r = normalize({{2, 3}, std::vector<double>(6, 0.0)}, options);
      for (double y : r.output.data)
        EXPECT_EQ(y, 0.0);
      // eps 0: rsqrt(max(0, FLT_MIN)) = rsqrt(2^-126) = 2^63, finite.
      double inv = eps == 0.0 ? std::ldexp(1.0, 63) : 1 / std::sqrt(eps);
      for (double v : r.invStd.data) {
        EXPECT_TRUE(std::isfinite(v));
        EXPECT_DOUBLE_EQ(v, inv);
      }
    }
}

TEST(Reference, TinyClampsTheRoot) {
  NormOptions options = rms();
  options.tiny = DBL_MIN;
  NormResult r = normalize({{2}, {0, 0}}, options);
  EXPECT_DOUBLE_EQ(r.invStd.data[0], 1 / std::sqrt(DBL_MIN));
}

TEST(Reference, OneElement) {
  // rms of [-3]: mean square 9, y = -3 / 3 = -1.
  expectNear(normalize({{1}, {-3}}, rms()).output.data, {-1});
  // layer of [5]: mean 5, variance 0, y = 0, inv_std = 1 / sqrt(1e-4) = 100.
  NormResult l = normalize({{1}, {5}}, layer({-1}, 1e-4));
  expectNear(l.output.data, {0});
  expectNear(l.mean.data, {5});
  expectNear(l.invStd.data, {100}, 1e-9);
}

TEST(Reference, NonContiguousAxesMatchBruteForce) {
  Tensor x = random({2, 3, 4}, 1);
  for (bool isLayer : {false, true}) {
    NormResult r = normalize(x, isLayer ? layer({0, 2}) : rms({0, 2}));
    BruteForce want = bruteForce(x, {0, 2}, isLayer, 0.0);
    expectNear(r.output.data, want.output);
    expectNear(r.invStd.data, want.invStd);
    EXPECT_EQ(r.invStd.shape, (Shape{1, 3, 1}));
    if (isLayer)
      expectNear(r.mean.data, want.mean);
  }
}

TEST(Reference, ManyAxisSetsMatchBruteForce) {
  Tensor x = random({2, 3, 4, 5}, 2);
  for (Shape axes : {Shape{0, 2}, Shape{1, 3}, Shape{0}, Shape{1, 2},
                     Shape{0, 1, 3}, Shape{0, 1, 2, 3}, Shape{3}}) {
    Shape paramShape;
    for (int64_t a : axes)
      paramShape.push_back(x.shape[a]);
    Tensor scale = random(paramShape, 3), bias = random(paramShape, 4);
    NormOptions options = layer(axes, 1e-3);
    options.scale = &scale;
    options.bias = &bias;
    NormResult r = normalize(x, options);
    BruteForce want = bruteForce(x, axes, true, 1e-3, &scale, &bias);
    expectNear(r.output.data, want.output);
    expectNear(r.mean.data, want.mean);
    expectNear(r.invStd.data, want.invStd);
  }
}

TEST(Reference, AxesInAnyOrderAndNegative) {
  Tensor x = random({2, 3, 4, 5}, 5);
  NormResult a = normalize(x, rms({0, 2}));
  NormResult b = normalize(x, rms({-2, -4}));
  NormResult c = normalize(x, rms({2, 0}));
  EXPECT_EQ(a.output.data, b.output.data);
  EXPECT_EQ(a.output.data, c.output.data);
  EXPECT_EQ(normalize(x, rms({-1})).output.data,
            normalize(x, rms({3})).output.data);
}

TEST(Reference, BroadcastScale) {
  // [2, 2] over both axes, all ones: rms 1, y = scale[i] + 0.5.
  Tensor scale{{2, 1}, {2, 3}}, bias{{1, 1}, {0.5}};
  NormOptions options = rms({0, 1});
  options.scale = &scale;
  options.bias = &bias;
  NormResult r = normalize({{2, 2}, {1, 1, 1, 1}}, options);
  expectNear(r.output.data, {2.5, 2.5, 3.5, 3.5});

  // A size-1 scale over a length-4 row equals scaling the whole output.
  Tensor x = random({3, 4}, 6), one{{1}, {-1.5}};
  NormOptions scaled = layer();
  scaled.scale = &one;
  NormResult plain = normalize(x, layer()), s = normalize(x, scaled);
  for (size_t i = 0; i < x.data.size(); ++i)
    EXPECT_DOUBLE_EQ(s.output.data[i], -1.5 * plain.output.data[i]);
}

TEST(Reference, ScaleOffset) {
  // All ones: rms 1, y = (1 + scale[i]) + bias.
  Tensor scale{{4}, {0.5, -1, 0, 2}}, bias{{1}, {0.25}};
  NormOptions options = rms();
  options.scale = &scale;
  options.bias = &bias;
  options.scaleOffset = true;
  NormResult r = normalize({{4}, {1, 1, 1, 1}}, options);
  expectNear(r.output.data, {1.75, 0.25, 1.25, 3.25});
}

// RMSNorm of [1, 2, 3, 4] (xhat = k / sqrt(7.5) = 0.36514837 k) with scale
// 1.09375 in bf16 (ulp 2^-9 below 0.5). compute rounds xhat * 1.09375 =
// 0.39938103 = 204.48 ulps once, to 204 ulps = 0.3984375. llama first rounds
// xhat = 186.96 ulps to 187 ulps = 0.365234375, whose product
// 0.39947510 = 204.53 ulps rounds to 205 ulps = 0.400390625: one ulp apart.
TEST(Reference, LlamaCastingRoundsBeforeTheScale) {
  Tensor x{{4}, {1, 2, 3, 4}}, scale{{1}, {1.09375}};
  NormOptions options = rms();
  options.scale = &scale;
  NormResult compute = normalize(x, options);
  std::vector<double> rounded;
  for (double y : compute.output.data)
    rounded.push_back(roundToBF16(y));
  EXPECT_EQ(rounded,
            (std::vector<double>{0.3984375, 0.796875, 1.1953125, 1.59375}));

  options.casting = Casting::Llama;
  options.roundToInput = roundToBF16;
  NormResult llama = normalize(x, options);
  EXPECT_EQ(llama.output.data, (std::vector<double>{0.400390625, 0.80078125,
                                                    1.1953125, 1.6015625}));
  // The statistics do not depend on the casting.
  EXPECT_EQ(llama.invStd.data, compute.invStd.data);

  // gemma is compute's arithmetic; without a rounding function (an input of
  // the compute type) llama is too.
  options.casting = Casting::Gemma;
  EXPECT_EQ(normalize(x, options).output.data, compute.output.data);
  options.casting = Casting::Llama;
  options.roundToInput = nullptr;
  EXPECT_EQ(normalize(x, options).output.data, compute.output.data);
}

TEST(Reference, PerFeatureEpsilon) {
  // mean square of [1, -1] is 1: feature 0 uses rsqrt(1 + 0), feature 1
  // rsqrt(1 + 3) = 1 / 2.
  Tensor eps{{2}, {0.0, 3.0}};
  NormOptions options = rms();
  options.featureEpsilon = &eps;
  options.epsilon = 100; // replaced by the per-feature values
  NormResult r = normalize({{2}, {1, -1}}, options);
  expectNear(r.output.data, {1.0, -0.5});
  EXPECT_TRUE(r.invStd.data.empty());
  EXPECT_TRUE(r.mean.data.empty());

  // layer of [0, 2]: mean 1, variance 1; eps [0, 3] gives [-1, 0.5].
  NormOptions l = layer();
  l.featureEpsilon = &eps;
  expectNear(normalize({{2}, {0, 2}}, l).output.data, {-1.0, 0.5});

  // A broadcast per-feature epsilon equals the scalar one.
  Tensor x = random({3, 5}, 7), same{{1}, {0.25}};
  NormOptions broadcast = layer();
  broadcast.featureEpsilon = &same;
  expectNear(normalize(x, broadcast).output.data,
             normalize(x, layer({-1}, 0.25)).output.data, 0);
}

TEST(Reference, StatisticsShapesAndValues) {
  // [2, 3, 2] normalized over axis 1: rows (i, k) hold x[i][:][k].
  Tensor x{{2, 3, 2}, {1, 2, 3, 4, 5, 6, 0, 0, 3, 3, 6, 6}};
  NormResult r = normalize(x, layer({1}));
  EXPECT_EQ(r.mean.shape, (Shape{2, 1, 2}));
  EXPECT_EQ(r.invStd.shape, (Shape{2, 1, 2}));
  // Rows {1,3,5}, {2,4,6}, {0,3,6}, {0,3,6}: means 3, 4, 3, 3; variances
  // 8/3, 8/3, 6, 6.
  expectNear(r.mean.data, {3, 4, 3, 3});
  expectNear(r.invStd.data, {1 / std::sqrt(8.0 / 3), 1 / std::sqrt(8.0 / 3),
                             1 / std::sqrt(6.0), 1 / std::sqrt(6.0)});
  NormResult s = normalize(x, rms({1}));
  EXPECT_EQ(s.invStd.shape, (Shape{2, 1, 2}));
  // Mean squares (1+9+25)/3, (4+16+36)/3, 45/3, 45/3.
  expectNear(s.invStd.data, {1 / std::sqrt(35.0 / 3), 1 / std::sqrt(56.0 / 3),
                             1 / std::sqrt(15.0), 1 / std::sqrt(15.0)});
}

TEST(Reference, EmptyTensors) {
  NormResult noRows = normalize({{0, 4}, {}}, layer());
  EXPECT_EQ(noRows.output.shape, (Shape{0, 4}));
  EXPECT_TRUE(noRows.output.data.empty());
  EXPECT_EQ(noRows.mean.shape, (Shape{0, 1}));
  EXPECT_TRUE(noRows.mean.data.empty());
  // Rows without features still get statistics: mean 0, rsqrt(0 + eps).
  NormResult noFeatures = normalize({{3, 0}, {}}, layer({-1}, 0.25));
  EXPECT_TRUE(noFeatures.output.data.empty());
  EXPECT_EQ(noFeatures.mean.shape, (Shape{3, 1}));
  expectNear(noFeatures.mean.data, {0, 0, 0});
  expectNear(noFeatures.invStd.data, {2, 2, 2});
  NormResult leading = normalize({{0, 2}, {}}, rms({0}, 0.0));
  EXPECT_EQ(leading.invStd.shape, (Shape{1, 2}));
  for (double v : leading.invStd.data)
    EXPECT_DOUBLE_EQ(v, std::ldexp(1.0, 63));
}

TEST(Reference, CanonicalAxes) {
  EXPECT_EQ(canonicalAxes({-1, 0}, 3), (Shape{0, 2}));
  EXPECT_EQ(canonicalAxes({2, -3, 1}, 3), (Shape{0, 1, 2}));
  EXPECT_THROW(canonicalAxes({}, 2), std::invalid_argument);
  EXPECT_THROW(canonicalAxes({2}, 2), std::invalid_argument);
  EXPECT_THROW(canonicalAxes({-3}, 2), std::invalid_argument);
  EXPECT_THROW(canonicalAxes({1, -1}, 2), std::invalid_argument);
  EXPECT_THROW(canonicalAxes({0, 0}, 2), std::invalid_argument);
  EXPECT_THROW(canonicalAxes({0}, 0), std::invalid_argument);
}

TEST(Reference, RejectsBadShapes) {
  Tensor x{{2, 4}, std::vector<double>(8, 1)};
  Tensor wrongDim{{3}, {1, 1, 1}}, wrongRank{{2, 4}, std::vector<double>(8)},
      wrongSize{{4}, {1, 1}};
  for (const Tensor *bad : {&wrongDim, &wrongRank, &wrongSize}) {
    NormOptions s = rms(), b = rms(), e = rms();
    s.scale = bad;
    b.bias = bad;
    e.featureEpsilon = bad;
    EXPECT_THROW(normalize(x, s), std::invalid_argument);
    EXPECT_THROW(normalize(x, b), std::invalid_argument);
    EXPECT_THROW(normalize(x, e), std::invalid_argument);
  }
  // The parameter's dims follow the axes in increasing order: [2, 4] over
  // axes {1, 0} needs shape [2, 4], not [4, 2].
  Tensor transposed{{4, 2}, std::vector<double>(8, 1)};
  NormOptions options = rms({1, 0});
  options.scale = &transposed;
  EXPECT_THROW(normalize(x, options), std::invalid_argument);
  EXPECT_THROW(normalize({{2, 4}, {1, 2}}, rms()), std::invalid_argument);
  EXPECT_THROW(normalize(x, rms({2})), std::invalid_argument);
}

TEST(Reference, LargeRowsAreNormalized) {
  Tensor x = random({256, 4096}, 8);
  NormResult r = normalize(x, layer());
  for (int64_t row = 0; row < 256; ++row) {
    double mean = 0, square = 0;
    for (int64_t f = 0; f < 4096; ++f) {
      mean += r.output.data[row * 4096 + f];
      square += r.output.data[row * 4096 + f] * r.output.data[row * 4096 + f];
    }
    EXPECT_NEAR(mean / 4096, 0, 1e-12);
    EXPECT_NEAR(square / 4096, 1, 1e-12);
  }
}

TEST(Reference, RoundToBF16) {
  // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even 1.
  EXPECT_EQ(roundToBF16(1.00390625), 1.0);
  // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: even is 2^-6.
  EXPECT_EQ(roundToBF16(1.01171875), 1.015625);
  EXPECT_EQ(roundToBF16(1.004), 1.0078125);
  EXPECT_EQ(roundToBF16(-1.004), -1.0078125);
  // Largest finite bf16 is (2 - 2^-7) * 2^127; past the midpoint to 2^128
  // it overflows.
  EXPECT_EQ(roundToBF16(3.3895313892515355e38), 3.3895313892515355e38);
  EXPECT_EQ(roundToBF16(3.4e38), std::numeric_limits<double>::infinity());
  // Subnormal: the smallest bf16 is 2^-133.
  EXPECT_EQ(roundToBF16(std::ldexp(1.0, -133)), std::ldexp(1.0, -133));
  EXPECT_EQ(roundToBF16(std::ldexp(1.0, -135)), 0.0);
}

TEST(Reference, RoundToF16) {
  EXPECT_EQ(roundToF16(65504.0), 65504.0);
  EXPECT_EQ(roundToF16(65519.99), 65504.0);
  // 65520 is halfway between 65504 and 2^16: the even side overflows.
  EXPECT_EQ(roundToF16(65520.0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(roundToF16(-65520.0), -std::numeric_limits<double>::infinity());
  // Below half the smallest subnormal (2^-24 ~ 5.96e-8) flushes to 0.
  EXPECT_EQ(roundToF16(1e-8), 0.0);
  // 1e-6 / 2^-24 = 16.78: subnormal 17 * 2^-24.
  EXPECT_EQ(roundToF16(1e-6), 17 * std::ldexp(1.0, -24));
  // 3 * 2^-25 is halfway between 2^-24 and 2^-23: ties to even 2^-23.
  EXPECT_EQ(roundToF16(3 * std::ldexp(1.0, -25)), std::ldexp(1.0, -23));
  EXPECT_EQ(roundToF16(0.1), 0.0999755859375);
  EXPECT_EQ(roundToF16(1.0 + std::ldexp(1.0, -11)), 1.0);
}

TEST(Reference, RoundToF32) {
  EXPECT_EQ(roundToF32(1.0 + std::ldexp(1.0, -30)), 1.0);
  EXPECT_EQ(roundToF32(1.0 + std::ldexp(1.0, -24)), 1.0); // tie to even
  EXPECT_EQ(roundToF32(1e39), std::numeric_limits<double>::infinity());
  EXPECT_EQ(roundToF32(static_cast<double>(FLT_MAX)), FLT_MAX);
  EXPECT_EQ(roundToF32(1e-46), 0.0);
  EXPECT_EQ(roundToF32(1e-45), std::ldexp(1.0, -149));
  std::mt19937_64 gen(9);
  std::uniform_real_distribution<double> mantissa(-2.0, 2.0);
  std::uniform_int_distribution<int> exponent(-150, 126);
  for (int i = 0; i < 10000; ++i) {
    double v = std::ldexp(mantissa(gen), exponent(gen));
    EXPECT_EQ(roundToF32(v), static_cast<double>(static_cast<float>(v))) << v;
  }
  EXPECT_TRUE(std::isnan(roundToF32(std::nan(""))));
  EXPECT_TRUE(std::signbit(roundToF16(-0.0)));
}
} // namespace
