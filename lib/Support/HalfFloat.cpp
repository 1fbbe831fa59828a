//===- HalfFloat.cpp - f16 and bf16 conversions with correct rounding -----===//
//
// Both conversions go through llvm::APFloat, which rounds once from double
// (no double rounding through float) and handles every special case.
//
//===----------------------------------------------------------------------===//

#include "norm/Support/HalfFloat.h"

#include "llvm/ADT/APFloat.h"

using llvm::APFloat;

static uint16_t toBits(double value, const llvm::fltSemantics &semantics) {
  APFloat converted(value);
  bool losesInfo;
  converted.convert(semantics, APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint16_t>(converted.bitcastToAPInt().getZExtValue());
}

static double fromBits(uint16_t bits, const llvm::fltSemantics &semantics) {
  APFloat value(semantics, llvm::APInt(16, bits));
  bool losesInfo;
  value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                &losesInfo);
  return value.convertToDouble();
}

uint16_t norm::doubleToHalfBits(double value) {
  return toBits(value, APFloat::IEEEhalf());
}

double norm::halfBitsToDouble(uint16_t bits) {
  return fromBits(bits, APFloat::IEEEhalf());
}

uint16_t norm::doubleToBF16Bits(double value) {
  return toBits(value, APFloat::BFloat());
}

double norm::bf16BitsToDouble(uint16_t bits) {
  return fromBits(bits, APFloat::BFloat());
}
