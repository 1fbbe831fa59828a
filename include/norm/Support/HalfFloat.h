//===- HalfFloat.h - f16 and bf16 conversions -------------------*- C++ -*-===//
//
// Host-side conversions between float/double and the 16-bit float formats
// (IEEE binary16 "f16" and bfloat16 "bf16"), for reading, writing and
// generating tensors. Narrowing rounds to nearest, ties to even, exactly once
// from the source value: doubles are never rounded to float first, which
// would round twice (1 + 2^-11 + 2^-40 would become 1.0 instead of
// 1 + 2^-10). Overflow gives infinity, tiny values become subnormals or
// signed zero, and NaN stays NaN: its sign and top payload bits are kept and
// the quiet bit is set, so a payload held only in low bits cannot turn into
// infinity. Widening is exact.
//
// The array conversions built on these, toDoubles, fromDoubles and
// convertArray, are declared with NpyArray in Npy.h, included here.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_SUPPORT_HALFFLOAT_H
#define NORM_SUPPORT_HALFFLOAT_H

#include "norm/Support/Npy.h"

#include <cstdint>
#include <cstring>

namespace norm {
namespace detail {

/// Rounds `value` to the binary format with `expBits` exponent bits and
/// `mantBits` explicit mantissa bits (at most 15 bits in all) and returns
/// its bits.
inline uint16_t roundDoubleToBits(double value, int expBits, int mantBits) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  const uint16_t sign =
      static_cast<uint16_t>((bits >> 63) << (expBits + mantBits));
  const uint16_t expMask =
      static_cast<uint16_t>(((1u << expBits) - 1) << mantBits);
  const uint64_t magnitude = bits & ~(uint64_t(1) << 63);
  const uint64_t doubleInf = uint64_t(0x7ff) << 52;
  if (magnitude >= doubleInf) {
    if (magnitude == doubleInf)
      return sign | expMask;
    // NaN: the top payload bits, with the quiet bit set.
    uint16_t payload = static_cast<uint16_t>(magnitude >> (52 - mantBits)) &
                       ((1u << mantBits) - 1);
    return sign | expMask | payload | (1u << (mantBits - 1));
  }
  const int bias = (1 << (expBits - 1)) - 1;
  const int minNormalExp = 1 - bias;
  int exp = static_cast<int>(magnitude >> 52) - 1023;
  // Double subnormals (below 2^-1022) are far below half of the smallest
  // subnormal of either format: they round to zero.
  if (exp == -1023)
    return sign;
  if (exp > bias)
    return sign | expMask;
  // The value is significand * 2^(exp - 52); keep the bits above the target
  // quantum, 2^(exp - mantBits) for normals and 2^(minNormalExp - mantBits)
  // for subnormals.
  uint64_t significand =
      (magnitude & ((uint64_t(1) << 52) - 1)) | (uint64_t(1) << 52);
  int shift = 52 - mantBits + (exp < minNormalExp ? minNormalExp - exp : 0);
  if (shift > 53)
    return sign; // Below half of the smallest subnormal.
  uint64_t kept = significand >> shift;
  uint64_t rest = significand & ((uint64_t(1) << shift) - 1);
  uint64_t halfway = uint64_t(1) << (shift - 1);
  if (rest > halfway || (rest == halfway && (kept & 1)))
    ++kept;
  // For normals, `kept` holds the implicit bit, which adds one to the biased
  // exponent; a carry out of the mantissa moves up to the next binade, and
  // from the largest finite value to infinity.
  if (exp >= minNormalExp)
    kept += static_cast<uint64_t>(exp - minNormalExp) << mantBits;
  return sign | static_cast<uint16_t>(kept);
}

} // namespace detail

/// IEEE binary16 bits of `value`, rounded to nearest even.
inline uint16_t doubleToHalfBits(double value) {
  return detail::roundDoubleToBits(value, /*expBits=*/5, /*mantBits=*/10);
}
/// Widening float to double is exact, so this rounds once.
inline uint16_t floatToHalfBits(float value) {
  return doubleToHalfBits(static_cast<double>(value));
}

/// The value of IEEE binary16 `bits` (exact).
inline float halfBitsToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
  uint32_t exp = (bits >> 10) & 0x1f;
  uint32_t mant = bits & 0x3ff;
  uint32_t result;
  if (exp == 0) {
    // Zero or subnormal: mant * 2^-24, exact in float.
    float magnitude = static_cast<float>(mant) * 5.9604644775390625e-8f;
    std::memcpy(&result, &magnitude, sizeof(result));
    result |= sign;
  } else if (exp == 0x1f) {
    result = sign | 0x7f800000u | (mant << 13); // Inf, or NaN with payload.
  } else {
    result = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float value;
  std::memcpy(&value, &result, sizeof(value));
  return value;
}
inline double halfBitsToDouble(uint16_t bits) { return halfBitsToFloat(bits); }

/// bfloat16 bits of `value`, rounded to nearest even.
inline uint16_t doubleToBF16Bits(double value) {
  return detail::roundDoubleToBits(value, /*expBits=*/8, /*mantBits=*/7);
}
/// The same from a float, on its bits (a float is exact in double, so this
/// equals doubleToBF16Bits(value); it is the fast path for hot loops).
inline uint16_t floatToBF16Bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  if ((bits & 0x7fffffffu) > 0x7f800000u) // NaN: as doubleToBF16Bits does.
    return doubleToBF16Bits(static_cast<double>(value));
  // Round to nearest even on the low 16 bits; a carry into the exponent
  // rounds up to the next binade or to infinity, as it must.
  return static_cast<uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

/// The value of bfloat16 `bits` (exact): the top half of a float.
inline float bf16BitsToFloat(uint16_t bits) {
  uint32_t widened = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &widened, sizeof(value));
  return value;
}
inline double bf16BitsToDouble(uint16_t bits) { return bf16BitsToFloat(bits); }

} // namespace norm

#endif // NORM_SUPPORT_HALFFLOAT_H
