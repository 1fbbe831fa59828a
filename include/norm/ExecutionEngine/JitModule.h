//===- JitModule.h - Compile a norm module and call its entry ---*- C++ -*-===//
//
// The JIT behind norm-runner, the differential tests and the benchmarks:
// lower a module with a norm pipeline (norm-lower-to-cpu, or
// norm-lower-to-nvvm for the GPU target), create an MLIR ExecutionEngine for
// the host code (which, for the GPU target, launches the kernels through
// norm's CUDA runtime), and call one entry function on host tensors.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_EXECUTIONENGINE_JITMODULE_H
#define NORM_EXECUTIONENGINE_JITMODULE_H

#include "norm/ExecutionEngine/MemRefDescriptors.h"
#include "norm/Pipelines/Pipelines.h"
#include "norm/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace mlir {
class ExecutionEngine;
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace norm {

/// Type of one argument or result of the entry function, as declared.
struct TensorSpec {
  ElementType type;
  llvm::SmallVector<int64_t> shape; // mlir::ShapedType::kDynamic for '?'
  std::string text;                 // the MLIR type, for messages

  /// Whether `array` fits: same element type, same rank, equal static dims.
  bool accepts(const NpyArray &array) const;
  bool accepts(ElementType arrayType, llvm::ArrayRef<int64_t> arrayShape) const;
};

/// Where the compiled module runs.
enum class Target { CPU, GPU };

/// The `--target` values of the tools: cl::values(...) of every Target.
inline auto getTargetOptionValues() {
  return llvm::cl::values(
      clEnumValN(Target::CPU, "cpu", "the host CPU"),
      clEnumValN(Target::GPU, "gpu",
                 "an NVIDIA GPU through norm-lower-to-nvvm and norm's CUDA "
                 "runtime"));
}

struct JitOptions {
  Target target = Target::CPU;
  /// Elements per vector tile; 0 picks one from the host's vector width.
  int64_t vectorSize = 0;
  /// Run row tasks on all cores (OpenMP: LLVM's libomp).
  bool parallel = false;
  /// With `parallel`, the least memory traffic of one task.
  int64_t minTaskBytes = mlir::norm::kDefaultMinTaskBytes;
  /// Fuse residual adds into the norm ops they feed (norm-fuse-residual).
  bool fuseResidual = true;
  /// The smallest result written with non-temporal stores.
  int64_t streamingMinBytes = mlir::norm::kDefaultStreamingMinBytes;
  /// Convert between bf16 and f32 with integer arithmetic (the pipeline's
  /// expand-bf16); unset: where the host has no bf16 conversion instruction.
  std::optional<bool> expandBF16;
  /// LLVM optimization level of the JIT (0-3).
  unsigned optLevel = mlir::norm::kDefaultOptLevel;
  /// Directory holding libmlir_c_runner_utils.so; empty picks the build's.
  std::string runtimeLibDir;
  /// Print the LLVM-dialect module after lowering to stderr.
  bool dumpLoweredModule = false;
  /// GPU target: architecture, PTX features, binary format, threads per
  /// block and CUDA toolkit root (see norm-lower-to-nvvm).
  std::string gpuChip = mlir::norm::kDefaultGPUChip;
  std::string gpuFeatures = mlir::norm::kDefaultGPUFeatures;
  std::string gpuFormat = mlir::norm::kDefaultGPUFormat;
  int64_t gpuThreadsPerBlock = mlir::norm::kDefaultThreadsPerBlock;
  std::string cudaPath = mlir::norm::kDefaultCudaPath;
};

/// Checks every option before anything is lowered: the pipeline's
/// (validateCPUPipelineOptions, validateGPUPipelineOptions) and the JIT's.
llvm::Error validateJitOptions(const JitOptions &options);

/// Bytes of physical memory of the machine (0 if unknown).
uint64_t getPhysicalMemoryBytes();

/// A buffer 64-byte aligned, as vector code likes it.
class AlignedBuffer {
public:
  AlignedBuffer() = default;
  /// Allocates `bytes`, or explains why not: more than the machine's
  /// physical memory, or the allocation failed.
  static llvm::Expected<AlignedBuffer> allocate(size_t bytes);
  AlignedBuffer(AlignedBuffer &&other) noexcept;
  AlignedBuffer &operator=(AlignedBuffer &&other) noexcept;
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
  ~AlignedBuffer();
  void *data() const { return ptr; }
  size_t size() const { return bytes; }
  llvm::MutableArrayRef<uint8_t> getBytes() const {
    return {static_cast<uint8_t *>(ptr), bytes};
  }

private:
  void *ptr = nullptr;
  size_t bytes = 0;
};

/// An argument in memory that the call takes over, so that data read from a
/// file is handed to the JIT code without a copy.
struct HostTensor {
  ElementType type = ElementType::F32;
  std::vector<int64_t> shape;
  AlignedBuffer data; // Exactly the row-major bytes of `shape`.
};

/// Arguments bound to the entry function, ready to be called repeatedly.
class PreparedCall;

class JitModule {
public:
  /// Lowers `module` in place with norm-lower-to-cpu and JIT-compiles it.
  /// Diagnostics of the lowering are returned in the error, with locations.
  static llvm::Expected<std::unique_ptr<JitModule>>
  compile(mlir::ModuleOp module, llvm::StringRef entry,
          const JitOptions &options = {});
  ~JitModule();

  const std::vector<TensorSpec> &getArguments() const { return arguments; }
  const std::vector<TensorSpec> &getResults() const { return results; }
  /// Seconds spent lowering and JIT-compiling.
  double getCompileSeconds() const { return compileSeconds; }
  int64_t getVectorSize() const { return vectorSize; }
  Target getTarget() const { return target; }

  /// Checks `args` against the signature and copies them into aligned
  /// buffers. Errors name the argument and what was expected.
  llvm::Expected<std::unique_ptr<PreparedCall>>
  prepare(llvm::ArrayRef<NpyArray> args) const;
  /// Like prepare, but takes over the arguments' buffers instead of copying.
  llvm::Expected<std::unique_ptr<PreparedCall>>
  prepare(std::vector<HostTensor> args) const;
  /// Checks that argument #`index` accepts an array of `type` and `shape`;
  /// the error says what was expected.
  llvm::Error checkArgument(size_t index, ElementType type,
                            llvm::ArrayRef<int64_t> shape) const;

  /// Calls the entry once and returns copies of its results.
  llvm::Expected<std::vector<NpyArray>>
  run(llvm::ArrayRef<NpyArray> args) const;

private:
  JitModule() = default;
  friend class PreparedCall;

  std::unique_ptr<mlir::ExecutionEngine> engine;
  void (*entryFn)(void **) = nullptr;
  std::vector<TensorSpec> arguments;
  std::vector<TensorSpec> results;
  double compileSeconds = 0;
  int64_t vectorSize = 0;
  Target target = Target::CPU;
};

class PreparedCall {
public:
  /// Calls the entry; results stay owned by the call until the next invoke.
  void invoke();
  /// Copies of the results of the last invoke.
  std::vector<NpyArray> getResults() const;
  /// The results of the last invoke where the JIT code left them, valid
  /// until the next invoke; CPU target only (GPU results are device memory).
  std::vector<NpyArrayRef> getResultRefs() const;
  /// Bytes the entry reads (arguments) and writes (results) per call.
  size_t getBytesMoved() const;
  /// Bytes of the arguments and of the results of the last invoke.
  size_t getArgumentBytes() const;
  size_t getResultBytes() const;
  /// Another call on copies of this call's arguments.
  llvm::Expected<std::unique_ptr<PreparedCall>> copy() const;
  /// GPU target: milliseconds of device time of one invoke, between CUDA
  /// events recorded on the default stream around it.
  float invokeTimedOnDevice();
  ~PreparedCall();

private:
  friend class JitModule;
  explicit PreparedCall(const JitModule &module) : module(module) {}
  /// Takes over `tensor` as argument #`index` (a device copy of it on the
  /// GPU target) and points the argument's descriptor at it.
  void bindArgument(size_t index, HostTensor tensor);
  void freeResults();

  const JitModule &module;
  std::vector<AlignedBuffer> argumentData;
  std::vector<void *> deviceArguments; // GPU target: device copies
  MemRefDescriptors argumentDescriptors;
  MemRefDescriptors resultDescriptors;
  bool hasResults = false;
};

/// Erases the functions that `entry` cannot reach, so that other entries of
/// the same file (which may not lower) do not get in the way.
void pruneUnreachableFunctions(mlir::ModuleOp module, mlir::func::FuncOp entry);

/// The element type of an MLIR type, if norm's runtime supports it.
std::optional<ElementType> getElementType(mlir::Type type);

/// Parses the MLIR file at `path` into `context`; the file is added to
/// `sourceMgr`, whose diagnostic handler reports parse errors. Null on
/// failure, with `openError` set when the file could not be read (and empty
/// when it did not parse: the handler has reported why).
mlir::OwningOpRef<mlir::ModuleOp> parseModuleFile(llvm::StringRef path,
                                                  llvm::SourceMgr &sourceMgr,
                                                  mlir::MLIRContext &context,
                                                  std::string &openError);

/// Makes freed memory (JIT results, argument copies) be reused by the next
/// call instead of returned to the OS: the first touch of fresh pages costs
/// more than the kernels that are run and timed. Allocations of 2 GiB and
/// more are still mapped afresh (mallopt takes an int).
void reuseFreedMemory();

} // namespace norm

#endif // NORM_EXECUTIONENGINE_JITMODULE_H
