//===- MemRefDescriptors.h - Memref descriptors of run-time rank -*- C++
//-*-===//
//
// The JIT calls an entry through its C interface, which takes each memref as
// a pointer to upstream's StridedMemRefType<T, N> and returns several as a
// struct of them. The ranks are only known at run time here, so the
// descriptors live in storage sized for their rank and are read and written
// through UnrankedMemRefType and DynamicMemRefType, as upstream's runtime
// libraries do.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_EXECUTIONENGINE_MEMREFDESCRIPTORS_H
#define NORM_EXECUTIONENGINE_MEMREFDESCRIPTORS_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace norm {

/// Bytes of a StridedMemRefType of `rank`: the rank-0 prefix (pointers and
/// offset), then `rank` sizes and `rank` strides.
constexpr size_t getMemRefDescriptorBytes(int64_t rank) {
  return sizeof(StridedMemRefType<uint8_t, 0>) +
         static_cast<size_t>(rank) * (sizeof(StridedMemRefType<uint8_t, 1>) -
                                      sizeof(StridedMemRefType<uint8_t, 0>));
}
static_assert(getMemRefDescriptorBytes(1) ==
                      sizeof(StridedMemRefType<uint8_t, 1>) &&
                  getMemRefDescriptorBytes(4) ==
                      sizeof(StridedMemRefType<uint8_t, 4>),
              "the layout of upstream's memref descriptors");

/// Ranked memref descriptors of bytes, back to back as the members of the
/// C interface's result struct. Offsets, sizes and strides count elements,
/// whatever their size: the data pointers are only ever offset by callers
/// that know the element type.
class MemRefDescriptors {
public:
  MemRefDescriptors() = default;
  /// Zeroed descriptors of `ranks`.
  explicit MemRefDescriptors(llvm::ArrayRef<int64_t> ranks) {
    size_t bytes = 0;
    for (int64_t rank : ranks) {
      offsets.push_back(bytes);
      bytes += getMemRefDescriptorBytes(rank);
    }
    this->ranks.assign(ranks.begin(), ranks.end());
    storage.assign(bytes / sizeof(int64_t), 0);
  }

  size_t size() const { return ranks.size(); }
  bool empty() const { return ranks.empty(); }
  /// The whole block: the C interface's pointer to its result struct.
  void *data() { return storage.data(); }

  /// Descriptor `i`, a StridedMemRefType<uint8_t, rank>.
  ::UnrankedMemRefType<uint8_t> get(size_t i) const {
    auto *bytes = reinterpret_cast<const uint8_t *>(storage.data());
    return {ranks[i], const_cast<uint8_t *>(bytes + offsets[i])};
  }
  DynamicMemRefType<uint8_t> view(size_t i) const {
    return DynamicMemRefType<uint8_t>(get(i));
  }
  /// The sizes of descriptor `i`.
  llvm::ArrayRef<int64_t> getSizes(size_t i) const {
    DynamicMemRefType<uint8_t> memref = view(i);
    return {memref.sizes, static_cast<size_t>(memref.rank)};
  }

  /// Points descriptor `i` at `data`, a dense row-major array of `shape`.
  void setRowMajor(size_t i, void *data, llvm::ArrayRef<int64_t> shape) {
    ::UnrankedMemRefType<uint8_t> memref = get(i);
    // Upstream's DynamicMemRefType reads any rank through the rank-1 type.
    auto *descriptor =
        static_cast<StridedMemRefType<uint8_t, 1> *>(memref.descriptor);
    descriptor->basePtr = static_cast<uint8_t *>(data);
    descriptor->data = static_cast<uint8_t *>(data);
    descriptor->offset = 0;
    int64_t *sizes = descriptor->sizes, *strides = sizes + memref.rank;
    int64_t stride = 1;
    for (int64_t d = memref.rank - 1; d >= 0; --d) {
      sizes[d] = shape[d];
      strides[d] = stride;
      stride *= shape[d];
    }
  }

private:
  std::vector<int64_t> storage;
  std::vector<size_t> offsets; // Bytes.
  std::vector<int64_t> ranks;
};

} // namespace norm

#endif // NORM_EXECUTIONENGINE_MEMREFDESCRIPTORS_H
