//===- HalfFloat.cpp - Converting arrays between element types ------------===//
//
// Every element goes through double, which holds each supported value
// exactly (but i64 beyond 2^53), so narrowing rounds once.
//
//===----------------------------------------------------------------------===//

#include "norm/Support/HalfFloat.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

using namespace norm;

template <typename T> static T load(const uint8_t *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T> static void store(uint8_t *p, T value) {
  std::memcpy(p, &value, sizeof(T));
}

/// `value` truncated toward zero and clamped to T's range (NaN to 0), where
/// a plain cast would be undefined.
template <typename T> static T toInteger(double value) {
  if (std::isnan(value))
    return 0;
  // Both bounds are exact powers of two as doubles.
  constexpr double low = static_cast<double>(std::numeric_limits<T>::min());
  constexpr double high =
      -static_cast<double>(std::numeric_limits<T>::min()); // max + 1
  if (value <= low)
    return std::numeric_limits<T>::min();
  if (value >= high)
    return std::numeric_limits<T>::max();
  return static_cast<T>(value);
}

std::vector<double> norm::toDoubles(const NpyArray &array) {
  size_t size = getElementSize(array.type);
  size_t count = array.data.size() / size;
  std::vector<double> values(count);
  const uint8_t *p = array.data.data();
  for (size_t i = 0; i < count; ++i, p += size) {
    switch (array.type) {
    case ElementType::F16:
      values[i] = halfBitsToDouble(load<uint16_t>(p));
      break;
    case ElementType::BF16:
      values[i] = bf16BitsToDouble(load<uint16_t>(p));
      break;
    case ElementType::F32:
      values[i] = load<float>(p);
      break;
    case ElementType::F64:
      values[i] = load<double>(p);
      break;
    case ElementType::I8:
      values[i] = load<int8_t>(p);
      break;
    case ElementType::I32:
      values[i] = load<int32_t>(p);
      break;
    case ElementType::I64:
      values[i] = static_cast<double>(load<int64_t>(p));
      break;
    case ElementType::Bool:
      values[i] = *p != 0;
      break;
    }
  }
  return values;
}

NpyArray norm::fromDoubles(ElementType type, std::vector<int64_t> shape,
                           llvm::ArrayRef<double> values) {
  NpyArray array;
  array.type = type;
  array.shape = std::move(shape);
  size_t count = array.numElements();
  assert(values.size() == count && "one value per element");
  size_t size = getElementSize(type);
  array.data.assign(count * size, 0);
  uint8_t *p = array.data.data();
  for (size_t i = 0, e = std::min(count, values.size()); i < e;
       ++i, p += size) {
    double v = values[i];
    switch (type) {
    case ElementType::F16:
      store(p, doubleToHalfBits(v));
      break;
    case ElementType::BF16:
      store(p, doubleToBF16Bits(v));
      break;
    case ElementType::F32:
      store(p, static_cast<float>(v));
      break;
    case ElementType::F64:
      store(p, v);
      break;
    case ElementType::I8:
      store(p, toInteger<int8_t>(v));
      break;
    case ElementType::I32:
      store(p, toInteger<int32_t>(v));
      break;
    case ElementType::I64:
      store(p, toInteger<int64_t>(v));
      break;
    case ElementType::Bool:
      *p = v != 0;
      break;
    }
  }
  return array;
}

NpyArray norm::convertArray(const NpyArray &array, ElementType type) {
  if (array.type == type)
    return array;
  return fromDoubles(type, array.shape, toDoubles(array));
}
