//===- IRMutator.h - Structure-aware mutations of norm IR text --*- C++ -*-===//
//
// libFuzzer's custom mutator for the IR fuzzers: mutations that keep the text
// parseable often enough to reach the verifier, the canonicalizer and the
// lowerings, on the parts of norm IR that matter (tensor shapes, the axes,
// epsilon and compute_type attributes, the optional operands), mixed with
// libFuzzer's byte-level mutations.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_FUZZ_IRMUTATOR_H
#define NORM_FUZZ_IRMUTATOR_H

#include <cstddef>
#include <cstdint>

namespace mlir::norm::fuzz {

/// Mutates the `size` bytes at `data` in place into at most `maxSize` bytes
/// and returns the new size; deterministic for a given `seed`.
size_t mutateIR(uint8_t *data, size_t size, size_t maxSize, unsigned seed);

} // namespace mlir::norm::fuzz

#endif // NORM_FUZZ_IRMUTATOR_H
