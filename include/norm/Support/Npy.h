//===- Npy.h - Reading and writing numpy .npy files ---------------*- C++
//-*-===//
//
// Tensors cross the runner's boundary as .npy files (format versions 1.0 to
// 3.0 on read, 1.0 or 2.0 on write, as numpy writes them).
//
// numpy has no bfloat16: bf16 arrays are written as '<f4' (exact widening,
// readable by plain numpy); on read, '<f4' data is accepted for a bf16
// argument by the caller, and raw bf16 bits are accepted with descr
// 'bfloat16' or '<V2' (what ml_dtypes writes).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_SUPPORT_NPY_H
#define NORM_SUPPORT_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace norm {

enum class ElementType { F16, BF16, F32, F64, I8, I32, I64, Bool };

size_t getElementSize(ElementType type);
/// "f16", "bf16", "f32", "f64", "i8", "i32", "i64", "i1".
llvm::StringRef getElementTypeName(ElementType type);

/// A dense row-major, little-endian array.
struct NpyArray {
  ElementType type = ElementType::F32;
  std::vector<int64_t> shape; // empty for rank 0
  std::vector<uint8_t> data;  // numElements() * getElementSize(type) bytes

  int64_t numElements() const;
};

/// Parses the bytes of a .npy file; `name` names it in errors.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef name);
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// The bytes of a .npy file holding `array` (bf16 widened to '<f4').
std::string serializeNpy(const NpyArray &array);
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);

/// Element values as doubles (any element type).
std::vector<double> toDoubles(const NpyArray &array);
/// An array of `type` holding `values` rounded once to nearest even.
NpyArray fromDoubles(ElementType type, std::vector<int64_t> shape,
                     llvm::ArrayRef<double> values);
/// `array` converted to `type` (rounding to nearest even).
NpyArray convertArray(const NpyArray &array, ElementType type);

} // namespace norm

#endif // NORM_SUPPORT_NPY_H
