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
#include "llvm/ADT/FunctionExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace norm {

enum class ElementType { F16, BF16, F32, F64, I8, I32, I64, Bool };

/// Bytes per element: 2, 2, 4, 8, 1, 4, 8, 1.
size_t getElementSize(ElementType type);
/// The MLIR spelling: "f16", "bf16", "f32", "f64", "i8", "i32", "i64", "i1".
llvm::StringRef getElementTypeName(ElementType type);

/// The number of elements of `shape` (0 when a dim is 0, whatever the
/// others), or nullopt when a dim is negative or the product overflows int64.
std::optional<int64_t> getNumElements(llvm::ArrayRef<int64_t> shape);
/// The bytes of an array of `type` and `shape`, or nullopt as above or when
/// they overflow int64.
std::optional<int64_t> getByteSize(ElementType type,
                                   llvm::ArrayRef<int64_t> shape);
/// Python's repr of `shape` as a tuple: "()", "(3,)", "(2, 3)".
std::string formatNpyShape(llvm::ArrayRef<int64_t> shape);

/// A dense row-major (C order), little-endian array. Bool elements are bytes
/// holding 0 or 1.
struct NpyArray {
  ElementType type = ElementType::F32;
  std::vector<int64_t> shape; // Empty for rank 0 (one element).
  std::vector<uint8_t> data;  // numElements() * getElementSize(type) bytes.

  int64_t numElements() const;
};

/// Elements in memory that the caller owns (say, a result of JIT code), laid
/// out by `strides` (in elements; empty: row-major), little-endian.
struct NpyArrayRef {
  ElementType type = ElementType::F32;
  llvm::ArrayRef<int64_t> shape;
  llvm::ArrayRef<int64_t> strides;
  const uint8_t *data = nullptr;

  NpyArrayRef() = default;
  NpyArrayRef(ElementType type, llvm::ArrayRef<int64_t> shape,
              llvm::ArrayRef<int64_t> strides, const uint8_t *data)
      : type(type), shape(shape), strides(strides), data(data) {}
  /*implicit*/ NpyArrayRef(const NpyArray &array)
      : type(array.type), shape(array.shape), data(array.data.data()) {}

  int64_t numElements() const;
  /// Whether the elements are contiguous in row-major order.
  bool isRowMajor() const;
  /// The element at row-major position `index`, as a double.
  double getAsDouble(int64_t index) const;
};

/// Calls `fn` on consecutive pieces of `array` in row-major order, each a
/// rank-1 NpyArray of at most `chunkElements` elements of `type`
/// (converted as convertArray does), so that a large array is converted or
/// scanned without a copy of its size.
void forEachChunk(const NpyArrayRef &array, ElementType type,
                  int64_t chunkElements,
                  llvm::function_ref<void(const NpyArray &chunk)> fn);

/// Parses the bytes of a .npy file; `nameForErrors` names it in errors.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes,
                                  llvm::StringRef nameForErrors);
/// Reads and parses the .npy file at `path`.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// A .npy file whose header has been read and checked, the data left in the
/// file: read() puts it straight into the caller's memory, so that a large
/// array is never held twice. open() checks that the shape's byte count is
/// representable and equals the data in the file before anyone allocates it.
class NpyFile {
public:
  static llvm::Expected<NpyFile> open(llvm::StringRef path);
  NpyFile(NpyFile &&other) noexcept;
  NpyFile &operator=(NpyFile &&other) = delete;
  NpyFile(const NpyFile &) = delete;
  ~NpyFile();

  ElementType getType() const { return type; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  /// Bytes of data in the file: numElements * getElementSize(getType()).
  int64_t getDataSize() const { return dataSize; }

  /// Reads the data into `dest` (at least getDataSize() bytes), converted to
  /// `as` (getType() or any other element type, rounded as convertArray
  /// does) and to NpyArray's conventions (little-endian, Bool as 0 or 1).
  llvm::Error read(ElementType as, llvm::MutableArrayRef<uint8_t> dest);

private:
  NpyFile() = default;
  std::string path;
  llvm::sys::fs::file_t file = llvm::sys::fs::kInvalidFile;
  ElementType type = ElementType::F32;
  bool bigEndian = false;
  std::vector<int64_t> shape;
  uint64_t dataOffset = 0;
  int64_t dataSize = 0;
};

/// The preamble and padded header numpy writes for an array of `type` and
/// `shape` (BF16 as '<f4'); the data follows it.
std::string formatNpyHeader(ElementType type, llvm::ArrayRef<int64_t> shape);
/// The bytes of a .npy file holding `array` (BF16 widened to '<f4').
std::string serializeNpy(const NpyArray &array);

/// A .npy file written under a temporary name next to `path` and renamed over
/// it by commit(): an existing file at `path` is replaced whole or not at
/// all, and a failed or interrupted run (fatal signals, SIGINT included)
/// leaves no partial file. Not committed, the temporary file is removed.
class PendingNpyFile {
public:
  /// Creates the temporary file and writes `array` into it, straight from
  /// its memory (BF16 widened to '<f4' a chunk at a time).
  static llvm::Expected<PendingNpyFile> write(llvm::StringRef path,
                                              const NpyArrayRef &array);
  PendingNpyFile(PendingNpyFile &&other) noexcept
      : path(std::move(other.path)), file(std::move(other.file)) {
    other.file.reset();
  }
  PendingNpyFile &operator=(PendingNpyFile &&other) = delete;
  ~PendingNpyFile();

  /// Renames the temporary file to the destination.
  llvm::Error commit();

private:
  PendingNpyFile(std::string path, llvm::sys::fs::TempFile file)
      : path(std::move(path)), file(std::move(file)) {}
  std::string path;
  std::optional<llvm::sys::fs::TempFile> file;
};

/// Writes `array` to `path` through a PendingNpyFile.
llvm::Error writeNpy(llvm::StringRef path, const NpyArrayRef &array);

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
