//===- HalfFloatTest.cpp - f16/bf16 rounding and array conversions --------===//

#include "norm/Support/HalfFloat.h"

#include "llvm/ADT/APFloat.h"

#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace norm;

namespace {
uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

double doubleOf(uint64_t bits) {
  double value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

float floatOf(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

/// An independent oracle: LLVM's software float, rounding to nearest even.
uint16_t apfloatBits(double value, const llvm::fltSemantics &semantics) {
  llvm::APFloat converted(value);
  bool losesInfo;
  converted.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint16_t>(converted.bitcastToAPInt().getZExtValue());
}

TEST(HalfFloat, EveryHalfRoundTripsThroughFloatAndDouble) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    float value = halfBitsToFloat(bits);
    if (std::isnan(value)) {
      EXPECT_TRUE(std::isnan(halfBitsToDouble(bits)));
      // Payload and sign kept, quiet bit set.
      EXPECT_EQ(floatToHalfBits(value), bits | 0x0200) << std::hex << bits;
      EXPECT_TRUE(std::isnan(halfBitsToFloat(floatToHalfBits(value))));
      continue;
    }
    EXPECT_EQ(halfBitsToDouble(bits), static_cast<double>(value));
    EXPECT_EQ(floatToHalfBits(value), bits) << std::hex << bits;
    EXPECT_EQ(doubleToHalfBits(value), bits) << std::hex << bits;
    EXPECT_EQ(apfloatBits(value, llvm::APFloat::IEEEhalf()), bits);
  }
}

TEST(HalfFloat, KnownRoundings) {
  EXPECT_EQ(floatToHalfBits(65504.0f), 0x7bff); // Largest finite.
  EXPECT_EQ(floatToHalfBits(65519.99f), 0x7bff);
  EXPECT_EQ(floatToHalfBits(65520.0f), 0x7c00); // Halfway to 2^16: inf.
  EXPECT_EQ(floatToHalfBits(-65520.0f), 0xfc00);
  EXPECT_EQ(floatToHalfBits(1e10f), 0x7c00);
  EXPECT_EQ(floatToHalfBits(INFINITY), 0x7c00);
  EXPECT_EQ(floatToHalfBits(-INFINITY), 0xfc00);
  EXPECT_EQ(floatToHalfBits(-0.0f), 0x8000);
  EXPECT_EQ(floatToHalfBits(std::ldexp(1.0f, -14)), 0x0400); // Smallest normal.
  EXPECT_EQ(floatToHalfBits(std::ldexp(1.0f, -24)), 0x0001); // Smallest
                                                             // subnormal.
  EXPECT_EQ(halfBitsToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(halfBitsToFloat(0x03ff), std::ldexp(1023.0f, -24));
  // Halfway between 0 and 2^-24 ties to 0; just above rounds up.
  EXPECT_EQ(floatToHalfBits(std::ldexp(1.0f, -25)), 0x0000);
  EXPECT_EQ(floatToHalfBits(-std::ldexp(1.0f, -25)), 0x8000);
  EXPECT_EQ(floatToHalfBits(std::nextafter(std::ldexp(1.0f, -25), 1.0f)),
            0x0001);
  EXPECT_EQ(floatToHalfBits(std::ldexp(3.0f, -25)), 0x0002); // Tie to even.
  EXPECT_EQ(floatToHalfBits(std::ldexp(1.0f, -26)), 0x0000);
  EXPECT_EQ(floatToHalfBits(FLT_TRUE_MIN), 0x0000);
  // Subnormal halfway between 1023 and 1024 quanta ties to the smallest
  // normal (even).
  EXPECT_EQ(floatToHalfBits(std::ldexp(2047.0f, -25)), 0x0400);
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1).
  EXPECT_EQ(floatToHalfBits(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(floatToHalfBits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(floatToHalfBits(2049.0f), 0x6800); // 2048, even.
  EXPECT_EQ(floatToHalfBits(2051.0f), 0x6802); // 2052, even.
  EXPECT_EQ(floatToHalfBits(0.1f), 0x2e66);    // As numpy rounds it.
  EXPECT_EQ(floatToHalfBits(-1.25f), 0xbd00);
  EXPECT_EQ(halfBitsToFloat(0x7bff), 65504.0f);
  EXPECT_TRUE(std::isinf(halfBitsToFloat(0x7c00)));
}

TEST(HalfFloat, NaNStaysNaN) {
  EXPECT_EQ(floatToHalfBits(std::numeric_limits<float>::quiet_NaN()) & 0x7e00,
            0x7e00);
  // A float NaN whose payload is only in the bits that do not fit must not
  // become infinity.
  EXPECT_EQ(floatToHalfBits(floatOf(0x7f800001)), 0x7e00);
  EXPECT_EQ(floatToHalfBits(floatOf(0xff800001)), 0xfe00);
  EXPECT_EQ(doubleToHalfBits(std::nan("")) & 0x7e00, 0x7e00);
  // Signaling, payload only in low bits: quieted, not turned into infinity.
  EXPECT_EQ(doubleToHalfBits(doubleOf(0x7ff0000000000001)), 0x7e00);
  EXPECT_EQ(doubleToHalfBits(doubleOf(0xfff0000000000001)), 0xfe00);
  EXPECT_TRUE(std::isnan(halfBitsToFloat(0x7c01)));
  EXPECT_TRUE(std::isnan(halfBitsToFloat(0xfe00)));
}

TEST(HalfFloat, DoublesRoundOnce) {
  // Through float, 1 + 2^-11 + 2^-40 would first become the tie 1 + 2^-11
  // and then round to 1; rounded once it is above the tie.
  double value = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  EXPECT_EQ(floatToHalfBits(static_cast<float>(value)), 0x3c00);
  EXPECT_EQ(doubleToHalfBits(value), 0x3c01);
  EXPECT_EQ(doubleToHalfBits(65519.999999), 0x7bff);
  EXPECT_EQ(doubleToHalfBits(DBL_MAX), 0x7c00);
  EXPECT_EQ(doubleToHalfBits(DBL_TRUE_MIN), 0x0000);
  EXPECT_EQ(doubleToHalfBits(-DBL_TRUE_MIN), 0x8000);
  EXPECT_EQ(doubleToHalfBits(std::nextafter(std::ldexp(1.0, -25), 1.0)),
            0x0001);
  // Same trap for bf16: 1 + 2^-8 + 2^-30 is above the tie.
  EXPECT_EQ(doubleToBF16Bits(1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -30)),
            0x3f81);
  EXPECT_EQ(floatToBF16Bits(static_cast<float>(1.0 + std::ldexp(1.0, -8) +
                                               std::ldexp(1.0, -30))),
            0x3f80);
}

TEST(HalfFloat, MatchesAPFloatOnSampledValues) {
  std::mt19937_64 engine(42);
  std::uniform_int_distribution<uint64_t> anyBits;
  std::uniform_int_distribution<int> exponent(-40, 20);
  std::uniform_real_distribution<double> mantissa(1.0, 2.0);
  for (int i = 0; i < 200000; ++i) {
    double value = std::ldexp(mantissa(engine), exponent(engine));
    if (i & 1)
      value = -value;
    ASSERT_EQ(doubleToHalfBits(value),
              apfloatBits(value, llvm::APFloat::IEEEhalf()))
        << value;
    float narrow = static_cast<float>(value);
    ASSERT_EQ(floatToHalfBits(narrow),
              apfloatBits(narrow, llvm::APFloat::IEEEhalf()))
        << narrow;
    ASSERT_EQ(doubleToBF16Bits(value),
              apfloatBits(value, llvm::APFloat::BFloat()))
        << value;
    // Arbitrary float bit patterns, NaNs aside.
    float any = floatOf(static_cast<uint32_t>(anyBits(engine)));
    if (!std::isnan(any)) {
      ASSERT_EQ(floatToBF16Bits(any), apfloatBits(any, llvm::APFloat::BFloat()))
          << std::hex << bitsOf(any);
      ASSERT_EQ(floatToHalfBits(any),
                apfloatBits(any, llvm::APFloat::IEEEhalf()))
          << std::hex << bitsOf(any);
    }
  }
}

TEST(BFloat16, EveryBF16RoundTrips) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    float value = bf16BitsToFloat(bits);
    EXPECT_EQ(bitsOf(value), bits << 16);
    if (std::isnan(value))
      EXPECT_EQ(floatToBF16Bits(value), bits | 0x0040) << std::hex << bits;
    else
      EXPECT_EQ(floatToBF16Bits(value), bits) << std::hex << bits;
  }
}

TEST(BFloat16, KnownRoundings) {
  EXPECT_EQ(floatToBF16Bits(1.0f), 0x3f80);
  EXPECT_EQ(floatToBF16Bits(1.00390625f), 0x3f80); // Tie to even: 1.
  EXPECT_EQ(floatToBF16Bits(1.01171875f), 0x3f82); // Tie to even: 1.015625.
  EXPECT_EQ(floatToBF16Bits(std::nextafter(1.00390625f, 2.0f)), 0x3f81);
  EXPECT_EQ(floatToBF16Bits(-2.0f), 0xc000);
  EXPECT_EQ(floatToBF16Bits(FLT_MAX), 0x7f80); // Rounds up to inf.
  EXPECT_EQ(floatToBF16Bits(-FLT_MAX), 0xff80);
  EXPECT_EQ(doubleToBF16Bits(1e300), 0x7f80);
  EXPECT_EQ(floatToBF16Bits(floatOf(0x7f7f7fff)), 0x7f7f);    // Largest finite.
  EXPECT_EQ(floatToBF16Bits(std::ldexp(1.0f, -133)), 0x0001); // Subnormal.
  EXPECT_EQ(floatToBF16Bits(FLT_TRUE_MIN), 0x0000);
  EXPECT_EQ(bf16BitsToFloat(0x3fc0), 1.5f);
  EXPECT_TRUE(std::isinf(bf16BitsToFloat(0x7f80)));
}

TEST(BFloat16, NaNStaysNaN) {
  EXPECT_TRUE(std::isnan(bf16BitsToFloat(floatToBF16Bits(NAN))));
  // Truncating 0x7f800001 would give infinity.
  EXPECT_EQ(floatToBF16Bits(floatOf(0x7f800001)), 0x7fc0);
  EXPECT_EQ(floatToBF16Bits(floatOf(0xffc00000)), 0xffc0);
  EXPECT_EQ(floatToBF16Bits(floatOf(0x7fa50000)), 0x7fe5);
  EXPECT_EQ(doubleToBF16Bits(doubleOf(0x7ff0000000000001)), 0x7fc0);
}

// floatToBF16Bits rounds on the float's bits; it must equal the rounding of
// the (exact) double for every float: a stride through all 2^32 bit patterns
// that hits every exponent and sign, plus the rounding boundaries.
TEST(BFloat16, FloatPathMatchesDoublePath) {
  auto check = [](uint32_t bits) {
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    ASSERT_EQ(floatToBF16Bits(value),
              doubleToBF16Bits(static_cast<double>(value)))
        << "float bits 0x" << std::hex << bits;
  };
  for (uint64_t bits = 0; bits <= 0xffffffffu; bits += 4099)
    check(static_cast<uint32_t>(bits));
  for (uint32_t high : {0x0000u, 0x3f80u, 0x7f7fu, 0x7f80u, 0xff7fu, 0x8000u})
    for (uint32_t low : {0x0000u, 0x7fffu, 0x8000u, 0x8001u, 0xffffu})
      check(high << 16 | low);
}

TEST(ArrayConversions, FromDoublesRoundsOnceAndSaturates) {
  double tricky = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  NpyArray half = fromDoubles(ElementType::F16, {2}, {tricky, 65520.0});
  ASSERT_EQ(half.data.size(), 4u);
  EXPECT_EQ(half.data, (std::vector<uint8_t>{0x01, 0x3c, 0x00, 0x7c}));

  NpyArray i8 = fromDoubles(ElementType::I8, {6},
                            {-1.9, 1.9, 300.0, -300.0, NAN, -INFINITY});
  EXPECT_EQ(toDoubles(i8), (std::vector<double>{-1, 1, 127, -128, 0, -128}));
  NpyArray i32 = fromDoubles(ElementType::I32, {2}, {3e9, -3e9});
  EXPECT_EQ(toDoubles(i32), (std::vector<double>{2147483647.0, -2147483648.0}));
  NpyArray i64 = fromDoubles(ElementType::I64, {2}, {1e19, -1e19});
  EXPECT_EQ(toDoubles(i64), (std::vector<double>{9223372036854775807.0,
                                                 -9223372036854775808.0}));
  NpyArray flags = fromDoubles(ElementType::Bool, {3}, {0.0, -2.0, NAN});
  EXPECT_EQ(flags.data, (std::vector<uint8_t>{0, 1, 1}));
}

TEST(ArrayConversions, ConvertArray) {
  NpyArray f32 = fromDoubles(ElementType::F32, {2, 2}, {1.5, -2.0, 3.25, 1e-3});
  NpyArray bf16 = convertArray(f32, ElementType::BF16);
  EXPECT_EQ(bf16.type, ElementType::BF16);
  EXPECT_EQ(bf16.shape, f32.shape);
  EXPECT_EQ(toDoubles(bf16)[0], 1.5);
  EXPECT_EQ(toDoubles(bf16)[3],
            bf16BitsToFloat(floatToBF16Bits(static_cast<float>(1e-3))));
  // bf16 -> f32 -> bf16 is exact.
  NpyArray back =
      convertArray(convertArray(bf16, ElementType::F32), ElementType::BF16);
  EXPECT_EQ(back.data, bf16.data);
  EXPECT_EQ(convertArray(f32, ElementType::F32).data, f32.data);
}
} // namespace
