//===- NormToGPU.h - norm ops as row-parallel GPU kernels -------*- C++ -*-===//

#ifndef NORM_CONVERSION_NORMTOGPU_NORMTOGPU_H
#define NORM_CONVERSION_NORMTOGPU_NORMTOGPU_H

#include <cstdint>

namespace mlir {
class DialectRegistry;
class RewritePatternSet;

namespace norm {
/// Threads per block of the kernels (convert-norm-to-gpu's and the GPU
/// pipeline's default; defined here only).
inline constexpr int64_t kDefaultThreadsPerBlock = 256;

/// Shape of the kernels convert-norm-to-gpu generates.
struct NormGPUKernelOptions {
  /// Threads per block; a multiple of 32.
  int64_t threadsPerBlock = kDefaultThreadsPerBlock;
  /// Elements of a row one thread keeps in registers; longer rows (and rows
  /// of dynamic length) are streamed from memory once per pass instead.
  int64_t maxElementsPerThread = 64;
  /// Rows of at most this many vectors per lane go to one warp each; longer
  /// rows get a whole block.
  int64_t maxVectorsPerLane = 8;
};

/// Adds the patterns that rewrite norm ops whose normalized axes are the
/// trailing dims into gpu.launch ops on buffers (bufferization.to_buffer of
/// the operands, to_tensor of the results).
void populateNormToGPUPatterns(RewritePatternSet &patterns,
                               const NormGPUKernelOptions &options);

/// Declares gpu.barrier as reading and writing memory (upstream declares no
/// effects, which buffer deallocation rejects inside our kernels).
void registerGPUBarrierMemoryEffects(DialectRegistry &registry);
} // namespace norm
} // namespace mlir

#endif // NORM_CONVERSION_NORMTOGPU_NORMTOGPU_H
