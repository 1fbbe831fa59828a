//===- JitModule.cpp - Compile a norm module and call its entry -----------===//

#include "norm/ExecutionEngine/JitModule.h"
#include "norm/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

#ifdef NORM_HAS_CUDA_RUNTIME
#include "norm/Runtime/CudaRuntime.h"
#endif

#include <cassert>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unistd.h>

using namespace norm;
using llvm::Expected;
using llvm::StringRef;

#ifndef NORM_MLIR_LIB_DIR
#define NORM_MLIR_LIB_DIR ""
#endif

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::optional<ElementType> norm::getElementType(mlir::Type type) {
  if (type.isF16())
    return ElementType::F16;
  if (type.isBF16())
    return ElementType::BF16;
  if (type.isF32())
    return ElementType::F32;
  if (type.isF64())
    return ElementType::F64;
  if (type.isInteger(32))
    return ElementType::I32;
  if (type.isInteger(64))
    return ElementType::I64;
  if (type.isInteger(8))
    return ElementType::I8;
  if (type.isInteger(1))
    return ElementType::Bool;
  return std::nullopt;
}

static std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(shape))
    text += (i ? ", " : "") + (mlir::ShapedType::isDynamic(dim)
                                   ? std::string("?")
                                   : std::to_string(dim));
  return text + "]";
}

static Expected<TensorSpec> getSpec(mlir::Type type, StringRef what) {
  std::string text;
  llvm::raw_string_ostream(text) << type;
  auto shaped = llvm::dyn_cast<mlir::ShapedType>(type);
  std::optional<ElementType> elementType;
  if (shaped && shaped.hasRank() &&
      llvm::isa<mlir::RankedTensorType, mlir::MemRefType>(type))
    elementType = getElementType(shaped.getElementType());
  if (!elementType)
    return makeError(what + " has unsupported type " + text +
                     ": entries take and return ranked tensors or memrefs of "
                     "f16, bf16, f32, f64, i8, i32, i64 or i1");
  return TensorSpec{*elementType, llvm::SmallVector<int64_t>(shaped.getShape()),
                    text};
}

bool TensorSpec::accepts(const NpyArray &array) const {
  return accepts(array.type, array.shape);
}

bool TensorSpec::accepts(ElementType arrayType,
                         llvm::ArrayRef<int64_t> arrayShape) const {
  if (arrayType != type || arrayShape.size() != shape.size())
    return false;
  for (auto [want, got] : llvm::zip(shape, arrayShape))
    if (!mlir::ShapedType::isDynamic(want) && want != got)
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// AlignedBuffer
//===----------------------------------------------------------------------===//

static constexpr size_t kAlignment = 64;

uint64_t norm::getPhysicalMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || pageSize <= 0)
    return 0;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(pageSize);
}

Expected<AlignedBuffer> AlignedBuffer::allocate(size_t bytes) {
  uint64_t physical = getPhysicalMemoryBytes();
  if (physical && bytes > physical)
    return makeError(llvm::formatv("cannot allocate {0} bytes: more than the "
                                   "{1} bytes of physical memory",
                                   bytes, physical)
                         .str());
  size_t rounded = llvm::alignTo(std::max<size_t>(bytes, 1), kAlignment);
  AlignedBuffer buffer;
  buffer.ptr = std::aligned_alloc(kAlignment, rounded);
  if (!buffer.ptr)
    return makeError("cannot allocate " + llvm::Twine(bytes) +
                     " bytes: out of memory");
  buffer.bytes = bytes;
  return buffer;
}

AlignedBuffer::AlignedBuffer(AlignedBuffer &&other) noexcept
    : ptr(other.ptr), bytes(other.bytes) {
  other.ptr = nullptr;
  other.bytes = 0;
}

AlignedBuffer &AlignedBuffer::operator=(AlignedBuffer &&other) noexcept {
  std::swap(ptr, other.ptr);
  std::swap(bytes, other.bytes);
  return *this;
}

AlignedBuffer::~AlignedBuffer() { std::free(ptr); }

//===----------------------------------------------------------------------===//
// JitModule
//===----------------------------------------------------------------------===//

void norm::pruneUnreachableFunctions(mlir::ModuleOp module,
                                     mlir::func::FuncOp entry) {
  llvm::SmallPtrSet<mlir::Operation *, 8> reachable = {entry};
  llvm::SmallVector<mlir::Operation *> worklist = {entry};
  mlir::SymbolTable symbols(module);
  while (!worklist.empty()) {
    mlir::Operation *op = worklist.pop_back_val();
    auto uses = mlir::SymbolTable::getSymbolUses(op);
    if (!uses)
      continue;
    for (const mlir::SymbolTable::SymbolUse &use : *uses)
      if (mlir::Operation *callee =
              symbols.lookup(use.getSymbolRef().getRootReference()))
        if (reachable.insert(callee).second)
          worklist.push_back(callee);
  }
  for (auto f : llvm::make_early_inc_range(module.getOps<mlir::func::FuncOp>()))
    if (!reachable.contains(f))
      f.erase();
}

/// The path of the async runtime once a parallel module loaded it.
static std::string &loadedAsyncRuntime() {
  static std::string path;
  return path;
}

/// Four vector registers' worth of f32: enough independent accumulators to
/// hide the latency of vector adds.
static int64_t getHostVectorSize() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return 64;
  if (features.lookup("avx2") || features.lookup("avx"))
    return 32;
  return 16;
}

static std::string getRuntimeLibDir(const JitOptions &options) {
  if (!options.runtimeLibDir.empty())
    return options.runtimeLibDir;
  if (const char *dir = std::getenv("NORM_LLVM_RUNTIME_LIB_DIR"))
    return dir;
  return NORM_MLIR_LIB_DIR;
}

/// Sets the options of the pipeline that `options` select; the CPU's vector
/// size is the host's unless given.
static void setPipelineOptions(const JitOptions &options,
                               mlir::norm::CPUPipelineOptions &pipeline) {
  pipeline.vectorSize =
      options.vectorSize != 0 ? options.vectorSize : getHostVectorSize();
  pipeline.parallel = options.parallel;
  pipeline.minTaskBytes = options.minTaskBytes;
}

static void setPipelineOptions(const JitOptions &options,
                               mlir::norm::GPUPipelineOptions &pipeline) {
  pipeline.chip = options.gpuChip;
  pipeline.features = options.gpuFeatures;
  pipeline.format = options.gpuFormat;
  pipeline.threadsPerBlock = options.gpuThreadsPerBlock;
  pipeline.cudaPath = options.cudaPath;
}

llvm::Error norm::validateJitOptions(const JitOptions &options) {
  if (options.optLevel > 3)
    return makeError(llvm::formatv("optimization level {0}: expected 0, 1, 2 "
                                   "or 3",
                                   options.optLevel)
                         .str());
  if (options.target == Target::CPU) {
    mlir::norm::CPUPipelineOptions pipeline;
    setPipelineOptions(options, pipeline);
    return mlir::norm::validateCPUPipelineOptions(pipeline);
  }
  // The runtime loads the binary with the driver: no LLVM IR.
  if (!llvm::is_contained({"isa", "bin", "fatbin"}, options.gpuFormat))
    return makeError("GPU binary format '" + options.gpuFormat +
                     "': expected isa, bin or fatbin");
  mlir::norm::GPUPipelineOptions pipeline;
  setPipelineOptions(options, pipeline);
  return mlir::norm::validateGPUPipelineOptions(pipeline);
}

Expected<std::unique_ptr<JitModule>>
JitModule::compile(mlir::ModuleOp module, StringRef entry,
                   const JitOptions &options) {
  if (llvm::Error error = validateJitOptions(options))
    return error;
  auto start = std::chrono::steady_clock::now();
  mlir::MLIRContext *ctx = module->getContext();

  auto func = module.lookupSymbol<mlir::func::FuncOp>(entry);
  if (!func || func.isExternal()) {
    std::string available;
    for (auto f : module.getOps<mlir::func::FuncOp>())
      if (!f.isExternal())
        available += (available.empty() ? "@" : ", @") + f.getSymName().str();
    return makeError("no function @" + entry + " to run in the module" +
                     (available.empty() ? std::string()
                                        : " (functions: " + available + ")"));
  }

  std::unique_ptr<JitModule> jit(new JitModule());
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    Expected<TensorSpec> spec =
        getSpec(type, llvm::formatv("argument #{0} of @{1}", i, entry).str());
    if (!spec)
      return spec.takeError();
    jit->arguments.push_back(std::move(*spec));
  }
  for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
    Expected<TensorSpec> spec =
        getSpec(type, llvm::formatv("result #{0} of @{1}", i, entry).str());
    if (!spec)
      return spec.takeError();
    jit->results.push_back(std::move(*spec));
  }
  func->setAttr("llvm.emit_c_interface", mlir::UnitAttr::get(ctx));
  pruneUnreachableFunctions(module, func);

  // Lower, collecting diagnostics with their locations for the caller.
  std::string diagnostics;
  llvm::raw_string_ostream diagnosticStream(diagnostics);
  mlir::ScopedDiagnosticHandler handler(ctx, [&](mlir::Diagnostic &diag) {
    StringRef severity =
        diag.getSeverity() == mlir::DiagnosticSeverity::Error     ? "error"
        : diag.getSeverity() == mlir::DiagnosticSeverity::Warning ? "warning"
                                                                  : "note";
    diagnosticStream << diag.getLocation() << ": " << severity << ": " << diag
                     << "\n";
    for (mlir::Diagnostic &note : diag.getNotes()) {
      // The IR dump MLIR attaches to pass failures buries the message.
      if (StringRef(note.str()).starts_with("see current operation"))
        continue;
      diagnosticStream << note.getLocation() << ": note: " << note << "\n";
    }
    return mlir::success();
  });
  bool gpu = options.target == Target::GPU;
#ifndef NORM_HAS_CUDA_RUNTIME
  if (gpu)
    return makeError("the GPU target needs norm's CUDA runtime, which this "
                     "build lacks (no CUDA toolkit was found when it was "
                     "configured)");
#endif
  mlir::PassManager pm(ctx);
  if (gpu) {
    mlir::norm::GPUPipelineOptions pipeline;
    setPipelineOptions(options, pipeline);
    mlir::norm::buildNormLowerToNVVMPipeline(pm, pipeline);
  } else {
    mlir::norm::CPUPipelineOptions pipeline;
    setPipelineOptions(options, pipeline);
    jit->vectorSize = pipeline.vectorSize;
    mlir::norm::buildNormLowerToCPUPipeline(pm, pipeline);
  }
  if (mlir::failed(pm.run(module)))
    return makeError("lowering @" + entry + " failed:\n" + diagnostics);
  if (options.dumpLoweredModule)
    module->print(llvm::errs());
#ifdef NORM_HAS_CUDA_RUNTIME
  // The engine's constructors load the kernels: a device must be there.
  if (gpu) {
    char reason[512] = {0};
    if (!normCudaIsAvailable(reason, sizeof(reason)))
      return makeError(llvm::Twine("no usable CUDA device for the GPU "
                                   "target: ") +
                       reason);
  }
#endif

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  mlir::registerBuiltinDialectTranslation(*ctx);
  mlir::registerLLVMDialectTranslation(*ctx);
  if (gpu)
    mlir::registerGPUDialectTranslation(*ctx);

  Expected<llvm::orc::JITTargetMachineBuilder> machineBuilder =
      llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder)
    return machineBuilder.takeError();
  llvm::CodeGenOptLevel codeGenLevel =
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                              : llvm::CodeGenOptLevel::Default;
  machineBuilder->setCodeGenOptLevel(codeGenLevel);
  Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      machineBuilder->createTargetMachine();
  if (!machine)
    return machine.takeError();
  auto transformer =
      mlir::makeOptimizingTransformer(options.optLevel,
                                      /*sizeLevel=*/0, machine->get());
  // The runtime libraries are loaded once for the process, not per engine:
  // an engine's teardown would reset the async runtime's global thread pool
  // under the next engine. The JIT finds their symbols in the process.
  for (StringRef name :
       {"libmlir_c_runner_utils.so", "libmlir_async_runtime.so"}) {
    if (name.contains("async") && !options.parallel)
      continue;
    llvm::SmallString<256> path(getRuntimeLibDir(options));
    llvm::sys::path::append(path, name);
    std::string error;
    if (llvm::sys::DynamicLibrary::LoadLibraryPermanently(path.c_str(), &error))
      return makeError("cannot load " + path + ": " + error +
                       " (set NORM_LLVM_RUNTIME_LIB_DIR)");
    if (name.contains("async"))
      loadedAsyncRuntime() = path.str().str();
  }
  mlir::ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = codeGenLevel;
  auto engine =
      mlir::ExecutionEngine::create(module, engineOptions, std::move(*machine));
  if (!engine)
    return makeError("compiling @" + entry + " failed: " +
                     llvm::toString(engine.takeError()) + "\n" + diagnostics);
  jit->engine = std::move(*engine);
  auto entryFn = jit->engine->lookupPacked(("_mlir_ciface_" + entry).str());
  if (!entryFn)
    return entryFn.takeError();
  jit->entryFn = *entryFn;
  jit->parallel = options.parallel;
  jit->target = options.target;
  jit->compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return jit;
}

/// Returns once every worker of the async runtime has left the code of earlier
/// tasks. A worker signals a task's completion from inside JIT code and then
/// returns through it, so an engine must not be freed before this: each
/// worker takes one of N tasks that can only finish together.
static void quiesceAsyncRuntime() {
  if (loadedAsyncRuntime().empty())
    return;
  llvm::sys::DynamicLibrary library =
      llvm::sys::DynamicLibrary::getPermanentLibrary(
          loadedAsyncRuntime().c_str());
  auto getWorkers = reinterpret_cast<int64_t (*)()>(
      library.getAddressOfSymbol("mlirAsyncRuntimGetNumWorkerThreads"));
  auto execute = reinterpret_cast<void (*)(void *, void (*)(void *))>(
      library.getAddressOfSymbol("mlirAsyncRuntimeExecute"));
  if (!getWorkers || !execute)
    return;
  struct Barrier {
    std::mutex mutex;
    std::condition_variable changed;
    int64_t total = 0, arrived = 0, left = 0;
  } barrier;
  barrier.total = getWorkers();
  for (int64_t i = 0; i < barrier.total; ++i)
    execute(&barrier, [](void *opaque) {
      auto *b = static_cast<Barrier *>(opaque);
      std::unique_lock<std::mutex> lock(b->mutex);
      ++b->arrived;
      b->changed.notify_all();
      b->changed.wait(lock, [b] { return b->arrived == b->total; });
      ++b->left;
      b->changed.notify_all();
    });
  std::unique_lock<std::mutex> lock(barrier.mutex);
  barrier.changed.wait(lock, [&] { return barrier.left == barrier.total; });
}

JitModule::~JitModule() {
  if (parallel)
    quiesceAsyncRuntime();
}

Expected<std::unique_ptr<PreparedCall>>
JitModule::prepare(llvm::ArrayRef<NpyArray> args) const {
  std::vector<HostTensor> tensors;
  for (const NpyArray &array : args) {
    Expected<AlignedBuffer> buffer = AlignedBuffer::allocate(array.data.size());
    if (!buffer)
      return buffer.takeError();
    if (!array.data.empty())
      std::memcpy(buffer->data(), array.data.data(), array.data.size());
    tensors.push_back({array.type, array.shape, std::move(*buffer)});
  }
  return prepare(std::move(tensors));
}

llvm::Error JitModule::checkArgument(size_t index, ElementType type,
                                     llvm::ArrayRef<int64_t> shape) const {
  const TensorSpec &spec = arguments[index];
  if (type != spec.type)
    return makeError(llvm::formatv("argument #{0} expects element type {1} "
                                   "({2}), got {3}",
                                   index, getElementTypeName(spec.type),
                                   spec.text, getElementTypeName(type))
                         .str());
  if (!spec.accepts(type, shape))
    return makeError(llvm::formatv("argument #{0} expects shape {1} ({2}), "
                                   "got {3}",
                                   index, formatShape(spec.shape), spec.text,
                                   formatShape(shape))
                         .str());
  return llvm::Error::success();
}

Expected<std::unique_ptr<PreparedCall>>
JitModule::prepare(std::vector<HostTensor> args) const {
  if (args.size() != arguments.size())
    return makeError(llvm::formatv("the entry takes {0} argument(s), {1} given",
                                   arguments.size(), args.size())
                         .str());
  std::unique_ptr<PreparedCall> call(new PreparedCall(*this));
  for (auto [i, array] : llvm::enumerate(args)) {
    if (llvm::Error error = checkArgument(i, array.type, array.shape))
      return error;
    std::optional<int64_t> bytes = getByteSize(array.type, array.shape);
    if (!bytes || static_cast<uint64_t>(*bytes) != array.data.size())
      return makeError(llvm::formatv("argument #{0}: shape {1} does not match "
                                     "its {2} bytes of data",
                                     i, formatShape(array.shape),
                                     array.data.size())
                           .str());
    AlignedBuffer buffer = std::move(array.data);
    void *data = buffer.data();
#ifdef NORM_HAS_CUDA_RUNTIME
    if (target == Target::GPU) {
      // Never null, so that results aliasing no argument are recognizable.
      data = normCudaMalloc(std::max<size_t>(buffer.size(), 1));
      normCudaMemcpyHtoD(data, buffer.data(), buffer.size());
      call->deviceArguments.push_back(data);
    }
#endif
    // Descriptor words: allocated, aligned, offset, sizes..., strides...
    std::vector<int64_t> descriptor = {reinterpret_cast<int64_t>(data),
                                       reinterpret_cast<int64_t>(data), 0};
    descriptor.insert(descriptor.end(), array.shape.begin(), array.shape.end());
    std::vector<int64_t> strides(array.shape.size(), 1);
    for (int64_t d = static_cast<int64_t>(array.shape.size()) - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * array.shape[d + 1];
    descriptor.insert(descriptor.end(), strides.begin(), strides.end());
    call->argumentData.push_back(std::move(buffer));
    call->argumentDescriptors.push_back(std::move(descriptor));
  }
  size_t resultWords = 0;
  for (const TensorSpec &spec : results)
    resultWords += 3 + 2 * spec.shape.size();
  call->resultDescriptors.assign(resultWords, 0);
  return call;
}

Expected<std::vector<NpyArray>>
JitModule::run(llvm::ArrayRef<NpyArray> args) const {
  Expected<std::unique_ptr<PreparedCall>> call = prepare(args);
  if (!call)
    return call.takeError();
  (*call)->invoke();
  return (*call)->getResults();
}

//===----------------------------------------------------------------------===//
// PreparedCall
//===----------------------------------------------------------------------===//

void PreparedCall::invoke() {
  freeResults();
  // The C interface takes a pointer to the results, then a pointer to each
  // argument's descriptor; the packed wrapper takes pointers to those.
  llvm::SmallVector<void *> pointers;
  if (!module.results.empty())
    pointers.push_back(resultDescriptors.data());
  for (std::vector<int64_t> &descriptor : argumentDescriptors)
    pointers.push_back(descriptor.data());
  llvm::SmallVector<void *> packed;
  for (void *&pointer : pointers)
    packed.push_back(&pointer);
  module.entryFn(packed.data());
  hasResults = !module.results.empty();
}

/// Visits each result's descriptor: (spec, words).
template <typename Fn>
static void forEachResult(const std::vector<TensorSpec> &specs,
                          const std::vector<int64_t> &words, Fn fn) {
  size_t offset = 0;
  for (const TensorSpec &spec : specs) {
    fn(spec, words.data() + offset);
    offset += 3 + 2 * spec.shape.size();
  }
}

std::vector<NpyArray> PreparedCall::getResults() const {
  std::vector<NpyArray> arrays;
  forEachResult(
      module.results, resultDescriptors,
      [&](const TensorSpec &spec, const int64_t *words) {
        size_t rank = spec.shape.size();
        NpyArray array;
        array.type = spec.type;
        array.shape.assign(words + 3, words + 3 + rank);
        size_t elementSize = getElementSize(spec.type);
        array.data.resize(array.numElements() * elementSize);
        const auto *base = reinterpret_cast<const uint8_t *>(words[1]) +
                           words[2] * static_cast<int64_t>(elementSize);
        const int64_t *strides = words + 3 + rank;
        std::vector<uint8_t> hostCopy;
#ifdef NORM_HAS_CUDA_RUNTIME
        if (module.target == Target::GPU && array.numElements() > 0) {
          // Copy the span the view covers, then gather on the host.
          int64_t span = 1;
          for (size_t d = 0; d < rank; ++d)
            span += (array.shape[d] - 1) * strides[d];
          hostCopy.resize(span * elementSize);
          normCudaMemcpyDtoH(hostCopy.data(), base, hostCopy.size());
          base = hostCopy.data();
        }
#endif
        // Strided copy into row-major order: results may be views.
        std::vector<int64_t> index(rank, 0);
        for (int64_t linear = 0, e = array.numElements(); linear < e;
             ++linear) {
          int64_t offset = 0;
          for (size_t d = 0; d < rank; ++d)
            offset += index[d] * strides[d];
          std::memcpy(array.data.data() + linear * elementSize,
                      base + offset * static_cast<int64_t>(elementSize),
                      elementSize);
          for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
            if (++index[d] < array.shape[d])
              break;
            index[d] = 0;
          }
        }
        arrays.push_back(std::move(array));
      });
  return arrays;
}

std::vector<NpyArrayRef> PreparedCall::getResultRefs() const {
  assert(module.target == Target::CPU && "results in host memory");
  std::vector<NpyArrayRef> refs;
  forEachResult(module.results, resultDescriptors,
                [&](const TensorSpec &spec, const int64_t *words) {
                  size_t rank = spec.shape.size();
                  const auto *base =
                      reinterpret_cast<const uint8_t *>(words[1]) +
                      words[2] * getElementSize(spec.type);
                  refs.emplace_back(
                      spec.type, llvm::ArrayRef<int64_t>(words + 3, rank),
                      llvm::ArrayRef<int64_t>(words + 3 + rank, rank), base);
                });
  return refs;
}

size_t PreparedCall::getBytesMoved() const {
  return getArgumentBytes() + getResultBytes();
}

size_t PreparedCall::getArgumentBytes() const {
  size_t bytes = 0;
  for (const AlignedBuffer &buffer : argumentData)
    bytes += buffer.size();
  return bytes;
}

Expected<std::unique_ptr<PreparedCall>> PreparedCall::copy() const {
  std::vector<HostTensor> tensors;
  for (auto [spec, buffer, descriptor] :
       llvm::zip(module.arguments, argumentData, argumentDescriptors)) {
    Expected<AlignedBuffer> data = AlignedBuffer::allocate(buffer.size());
    if (!data)
      return data.takeError();
    if (buffer.size())
      std::memcpy(data->data(), buffer.data(), buffer.size());
    std::vector<int64_t> shape(descriptor.begin() + 3,
                               descriptor.begin() + 3 + spec.shape.size());
    tensors.push_back({spec.type, std::move(shape), std::move(*data)});
  }
  return module.prepare(std::move(tensors));
}

size_t PreparedCall::getResultBytes() const {
  size_t bytes = 0;
  forEachResult(module.results, resultDescriptors,
                [&](const TensorSpec &spec, const int64_t *words) {
                  size_t count = 1;
                  for (size_t d = 0; d < spec.shape.size(); ++d)
                    count *= words[3 + d];
                  bytes += count * getElementSize(spec.type);
                });
  return bytes;
}

void PreparedCall::freeResults() {
  if (!hasResults)
    return;
  // Results own their allocation unless they are views of an argument; two
  // results may share one allocation.
  llvm::SmallPtrSet<void *, 4> freed;
  for (const AlignedBuffer &buffer : argumentData)
    freed.insert(buffer.data());
  for (void *data : deviceArguments)
    freed.insert(data);
  bool gpu = module.target == Target::GPU;
  forEachResult(module.results, resultDescriptors,
                [&](const TensorSpec &, const int64_t *words) {
                  auto *allocated = reinterpret_cast<void *>(words[0]);
                  if (!allocated || !freed.insert(allocated).second)
                    return;
#ifdef NORM_HAS_CUDA_RUNTIME
                  if (gpu) {
                    normCudaFree(allocated);
                    return;
                  }
#endif
                  std::free(allocated);
                });
  (void)gpu;
  hasResults = false;
}

float PreparedCall::invokeTimedOnDevice() {
#ifdef NORM_HAS_CUDA_RUNTIME
  if (module.target == Target::GPU) {
    // Free the previous results first: cuMemFree synchronizes, which must
    // not fall between the events.
    freeResults();
    normCudaSynchronize();
    void *start = normCudaEventCreate(), *end = normCudaEventCreate();
    normCudaEventRecord(start, nullptr);
    invoke();
    normCudaEventRecord(end, nullptr);
    float ms = normCudaEventElapsedMs(start, end);
    normCudaEventDestroy(start);
    normCudaEventDestroy(end);
    return ms;
  }
#endif
  llvm::report_fatal_error("invokeTimedOnDevice needs the GPU target");
}

PreparedCall::~PreparedCall() {
  freeResults();
#ifdef NORM_HAS_CUDA_RUNTIME
  for (void *data : deviceArguments)
    normCudaFree(data);
#endif
}
