//===- Pipelines.h - norm's named lowering pipelines --------------*- C++
//-*-===//

#ifndef NORM_PIPELINES_PIPELINES_H
#define NORM_PIPELINES_PIPELINES_H

#include "norm/Conversion/NormToGPU/NormToGPU.h"
#include "norm/Transforms/PassDefaults.h"

#include "mlir/Pass/PassOptions.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
class OpPassManager;

namespace norm {

// Defaults of the options that the pipelines share with the JIT
// (norm::JitOptions) and the tools' flags: each is defined here only.

/// The least memory traffic of one parallel task.
inline constexpr int64_t kDefaultMinTaskBytes = 1 << 18;
/// The least work of a contraction's parallel task: 16.8 MFLOP, about
/// 0.2 ms on one core here, several times what waking a worker costs.
inline constexpr int64_t kDefaultMatmulMinTaskFlops = 1 << 24;
// kDefaultStreamingMinBytes: norm/Transforms/PassDefaults.h, shared with the
// pass.
/// LLVM optimization level (of the kernels, and of the JIT's host code).
inline constexpr int64_t kDefaultOptLevel = 3;
/// GPU target: sm_90 needs PTX 8.0 or newer.
inline constexpr const char *kDefaultGPUChip = "sm_90";
inline constexpr const char *kDefaultGPUFeatures = "+ptx80";
/// PTX, JIT-compiled by the driver: needs no ptxas.
inline constexpr const char *kDefaultGPUFormat = "isa";
/// Empty: $CUDA_HOME, $CUDA_PATH, else /usr/local/cuda.
inline constexpr const char *kDefaultCudaPath = "";

/// Options of `norm-lower-to-cpu`.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<int64_t> vectorSize{
      *this, "vector-size",
      llvm::cl::desc("Elements per vector tile along the innermost loop "
                     "(a multiple of the hardware vector width keeps several "
                     "accumulators in flight)"),
      llvm::cl::init(32)};
  PassOptions::Option<int64_t> matmulRows{
      *this, "matmul-rows",
      llvm::cl::desc("Output rows of a contraction's register block"),
      llvm::cl::init(6)};
  PassOptions::Option<int64_t> matmulCols{
      *this, "matmul-cols",
      llvm::cl::desc("Output columns of a contraction's register block and "
                     "of its packed panels of B"),
      llvm::cl::init(32)};
  PassOptions::Option<int64_t> matmulDepth{
      *this, "matmul-depth",
      llvm::cl::desc("Reduction steps of a contraction's cache block: rows "
                     "of a packed panel of B (depth x cols should fit in L1)"),
      llvm::cl::init(256)};
  PassOptions::Option<int64_t> matmulTaskCols{
      *this, "matmul-task-cols",
      llvm::cl::desc("With parallel: output columns of a contraction's task "
                     "(0: contractions run on the calling thread)"),
      llvm::cl::init(64)};
  PassOptions::Option<int64_t> matmulMinTaskFlops{
      *this, "matmul-min-task-flops",
      llvm::cl::desc("With parallel: least work of a contraction's task; "
                     "smaller static contractions run on the calling thread "
                     "(0: no minimum)"),
      llvm::cl::init(kDefaultMatmulMinTaskFlops)};
  PassOptions::Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run row tasks on all cores as OpenMP worksharing "
                     "loops (the JIT must load LLVM's libomp)"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> minTaskBytes{
      *this, "min-task-bytes",
      llvm::cl::desc("With parallel: the least memory traffic of one task; "
                     "smaller tensors run as one task on the calling thread. "
                     "Gradient ops use it with or without parallel (their "
                     "parameter gradients are summed per task; 0: one task)"),
      llvm::cl::init(kDefaultMinTaskBytes)};
  PassOptions::Option<bool> streamingStores{
      *this, "streaming-stores",
      llvm::cl::desc("Write large returned buffers with non-temporal stores "
                     "(norm-streaming-stores)"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> streamingMinBytes{
      *this, "streaming-min-bytes",
      llvm::cl::desc("With streaming-stores: the smallest statically sized "
                     "result written with non-temporal stores"),
      llvm::cl::init(kDefaultStreamingMinBytes)};
  PassOptions::Option<bool> prefetch{
      *this, "prefetch",
      llvm::cl::desc("Prefetch the next row while a row is processed "
                     "(norm-prefetch-next-row)"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> innerTile{
      *this, "inner-tile",
      llvm::cl::desc("Row tile of the innermost dim when it is not "
                     "normalized"),
      llvm::cl::init(16)};
  PassOptions::Option<bool> expandBF16{
      *this, "expand-bf16",
      llvm::cl::desc("Convert between bf16 and f32 with integer arithmetic "
                     "(for CPUs without avx512bf16 or avxneconvert, where "
                     "LLVM narrows one element at a time with a library "
                     "call; the JIT sets it from the host)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> x86AVX512BF16{
      *this, "x86-avx512bf16",
      llvm::cl::desc("The target has AVX512-BF16: narrow f32 vectors to bf16 "
                     "32 lanes at a time (norm-paired-bf16-narrowing; the JIT "
                     "sets it from the host)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> fuseResidual{
      *this, "fuse-residual",
      llvm::cl::desc("Fuse residual adds into the norm ops they feed "
                     "(norm-fuse-residual)"),
      llvm::cl::init(true)};
};

/// Checks every option of `norm-lower-to-cpu`: vector-size and matmul-cols
/// powers of two in [1, 1024], matmul-rows in [1, 64], matmul-depth in
/// [1, 2^20], matmul-task-cols 0 or a multiple of matmul-cols in
/// [matmul-cols, 2^20], inner-tile in [1, 2^20], min-task-bytes in
/// [0, 2^40]. The error names the option.
llvm::Error validateCPUPipelineOptions(const CPUPipelineOptions &options);

/// Lowers a module of func + norm (+ linalg/tensor/arith/math) ops to the LLVM
/// dialect for the host CPU: norm ops are split into rows, decomposed into
/// linalg, tiled to vector-sized pieces and vectorized, bufferized, and
/// lowered to LLVM.
void buildNormLowerToCPUPipeline(OpPassManager &pm,
                                 const CPUPipelineOptions &options);

/// Options of `norm-lower-to-nvvm`.
struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU architecture (sm_XX)"),
      llvm::cl::init(kDefaultGPUChip)};
  PassOptions::Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features; sm_90 needs +ptx80 or newer"),
      llvm::cl::init(kDefaultGPUFeatures)};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("GPU binary format: isa (PTX, JIT-compiled by the "
                     "driver, no ptxas needed), bin or fatbin (need ptxas)"),
      llvm::cl::init(kDefaultGPUFormat)};
  PassOptions::Option<int64_t> threadsPerBlock{
      *this, "threads-per-block",
      llvm::cl::desc("Threads per block of the norm kernels (and of the "
                     "other ops' kernels along their innermost dim)"),
      llvm::cl::init(kDefaultThreadsPerBlock)};
  PassOptions::Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit root, for libdevice (and ptxas); empty: "
                     "$CUDA_HOME, $CUDA_PATH, else /usr/local/cuda"),
      llvm::cl::init(kDefaultCudaPath)};
  PassOptions::Option<int64_t> optLevel{
      *this, "opt-level",
      llvm::cl::desc("LLVM optimization level of the kernels"),
      llvm::cl::init(kDefaultOptLevel)};
  PassOptions::Option<bool> fuseResidual{
      *this, "fuse-residual",
      llvm::cl::desc("Fuse residual adds into the norm ops they feed "
                     "(norm-fuse-residual)"),
      llvm::cl::init(true)};
};

/// Checks every option of `norm-lower-to-nvvm`: `chip` an sm_XX that LLVM's
/// NVPTX backend knows, `features` +/-NAME of its features with a PTX version
/// at least the chip's minimum, `format` one gpu-module-to-binary accepts,
/// `threads-per-block` a multiple of 32 in [32, 1024], `opt-level` in [0, 3].
llvm::Error validateGPUPipelineOptions(const GPUPipelineOptions &options);

/// Lowers a module of func + norm (+ linalg/tensor/arith/math) ops for an
/// NVIDIA GPU: norm ops become row-parallel kernels (convert-norm-to-gpu),
/// other linalg ops parallel loops mapped to blocks and threads; buffers are
/// GPU memory; kernels are compiled through NVVM to a gpu.binary and the host
/// code to the LLVM dialect, calling the mgpu* runtime. The entry's memref
/// arguments and results are device buffers.
void buildNormLowerToNVVMPipeline(OpPassManager &pm,
                                  const GPUPipelineOptions &options);

/// The CUDA toolkit root that `cudaPath` designates (see the option).
std::string resolveCudaPath(llvm::StringRef cudaPath);

/// Registers norm's named pipelines with the pass registry; their options
/// are validated when the pipeline is parsed.
void registerNormPipelines();

} // namespace norm
} // namespace mlir

#endif // NORM_PIPELINES_PIPELINES_H
