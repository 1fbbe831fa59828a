//===- HalfFloat.h - f16 and bf16 conversions with correct rounding -*- C++
//-*-===//
//
// Host-side conversions between double/float and the 16-bit float formats,
// rounding to nearest even, for reading, writing and generating tensors.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_SUPPORT_HALFFLOAT_H
#define NORM_SUPPORT_HALFFLOAT_H

#include <cstdint>

namespace norm {

/// IEEE binary16 bits of `value`, rounded to nearest even (overflow to inf,
/// gradual underflow to subnormals, NaN kept quiet).
uint16_t doubleToHalfBits(double value);
double halfBitsToDouble(uint16_t bits);

/// bfloat16 bits of `value`, rounded to nearest even.
uint16_t doubleToBF16Bits(double value);
double bf16BitsToDouble(uint16_t bits);

} // namespace norm

#endif // NORM_SUPPORT_HALFFLOAT_H
