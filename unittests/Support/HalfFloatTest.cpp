//===- HalfFloatTest.cpp - f16/bf16 rounding ------------------------------===//

#include "norm/Support/HalfFloat.h"

#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>
#include <cstring>

using namespace norm;

namespace {
TEST(HalfFloat, EveryHalfRoundTrips) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    double value = halfBitsToDouble(bits);
    if (std::isnan(value))
      EXPECT_TRUE(std::isnan(halfBitsToDouble(doubleToHalfBits(value))));
    else
      EXPECT_EQ(doubleToHalfBits(value), bits) << std::hex << bits;
  }
}

TEST(HalfFloat, RoundsToNearestEven) {
  EXPECT_EQ(halfBitsToDouble(doubleToHalfBits(65504.0)), 65504.0);
  EXPECT_TRUE(std::isinf(halfBitsToDouble(doubleToHalfBits(65520.0))));
  EXPECT_EQ(halfBitsToDouble(doubleToHalfBits(65519.0)), 65504.0);
  EXPECT_EQ(halfBitsToDouble(doubleToHalfBits(std::ldexp(1.0, -24))),
            std::ldexp(1.0, -24));
  EXPECT_EQ(doubleToHalfBits(std::ldexp(1.0, -26)), 0); // below half the
                                                        // smallest subnormal
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1).
  EXPECT_EQ(halfBitsToDouble(doubleToHalfBits(1.0 + std::ldexp(1.0, -11))),
            1.0);
  EXPECT_EQ(halfBitsToDouble(doubleToHalfBits(1.0 + 3 * std::ldexp(1.0, -11))),
            1.0 + std::ldexp(1.0, -9));
}

TEST(BFloat16, RoundsToNearestEven) {
  EXPECT_EQ(bf16BitsToDouble(doubleToBF16Bits(1.00390625)), 1.0);
  EXPECT_EQ(bf16BitsToDouble(doubleToBF16Bits(1.01171875)), 1.015625);
  EXPECT_TRUE(std::isinf(bf16BitsToDouble(doubleToBF16Bits(FLT_MAX))));
  EXPECT_TRUE(std::isnan(bf16BitsToDouble(doubleToBF16Bits(NAN))));
  EXPECT_EQ(doubleToBF16Bits(-2.0), 0xC000);
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    double value = bf16BitsToDouble(bits);
    if (!std::isnan(value))
      EXPECT_EQ(doubleToBF16Bits(value), bits) << std::hex << bits;
  }
}
} // namespace
