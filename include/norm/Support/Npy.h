//===- Npy.h - Reading and writing numpy .npy files -------------*- C++ -*-===//
//
// Tensors cross the runner's boundary as .npy files.
//
// Reading accepts format versions 1.0, 2.0 and 3.0 with dtypes '<f2', '<f4',
// '<f8', '|i1', '<i4', '<i8' and '|b1', big-endian ('>') variants of these
// (converted to little-endian), and bfloat16 as raw bits under descr
// 'bfloat16' or '<V2' (what ml_dtypes writes). Fortran-ordered arrays are
// rejected unless their layout equals C order (at most one dimension is not
// 1), so a caller never sees transposed data; other dtypes (unsigned, complex,
// structured, ...) are rejected too. Every problem is an llvm::Error naming
// the file and what is wrong.
//
// Writing produces exactly the bytes numpy's np.save produces: version 1.0
// (2.0 if the header outgrows 64 KiB), the header dict padded with spaces and
// a newline to a multiple of 64 bytes. numpy has no bfloat16, so BF16 arrays
// are written as '<f4' (an exact widening that plain numpy reads); read back
// they are F32, and convertArray(array, ElementType::BF16) restores them
// exactly.
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

/// Bytes per element: 2, 2, 4, 8, 1, 4, 8, 1.
size_t getElementSize(ElementType type);
/// The MLIR spelling: "f16", "bf16", "f32", "f64", "i8", "i32", "i64", "i1".
llvm::StringRef getElementTypeName(ElementType type);

/// A dense row-major (C order), little-endian array. Bool elements are bytes
/// holding 0 or 1.
struct NpyArray {
  ElementType type = ElementType::F32;
  std::vector<int64_t> shape; // Empty for rank 0 (one element).
  std::vector<uint8_t> data;  // numElements() * getElementSize(type) bytes.

  int64_t numElements() const;
};

/// Parses the bytes of a .npy file; `nameForErrors` names it in errors.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes,
                                  llvm::StringRef nameForErrors);
/// Reads and parses the .npy file at `path`.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// The preamble and padded header numpy writes for an array of `type` and
/// `shape` (BF16 as '<f4'); the data follows it.
std::string formatNpyHeader(ElementType type, llvm::ArrayRef<int64_t> shape);
/// The bytes of a .npy file holding `array` (BF16 widened to '<f4').
std::string serializeNpy(const NpyArray &array);
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);

/// Element values as doubles; exact for every type but i64 beyond 2^53.
std::vector<double> toDoubles(const NpyArray &array);
/// An array of `type` and `shape` holding `values` (one per element), each
/// rounded once, to nearest even, straight from double (f16 and bf16 never go
/// through float). Integers truncate toward zero like numpy's astype but
/// saturate at the type's bounds, and NaN becomes 0; Bool is `value != 0`.
NpyArray fromDoubles(ElementType type, std::vector<int64_t> shape,
                     llvm::ArrayRef<double> values);
/// `array` converted to `type` as fromDoubles(type, shape, toDoubles(array))
/// does; a copy when the type already matches.
NpyArray convertArray(const NpyArray &array, ElementType type);

} // namespace norm

#endif // NORM_SUPPORT_NPY_H
