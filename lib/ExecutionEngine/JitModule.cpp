//===- JitModule.cpp - Compile a norm module and call its entry -----------===//

#include "norm/ExecutionEngine/JitModule.h"
#include "norm/ExecutionEngine/Device.h"
#include "norm/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"

#include <cassert>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <malloc.h>
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

/// The host CPU's features, queried once per process.
static const llvm::StringMap<bool> &getHostFeatures() {
  static const llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  return features;
}

/// Whether the host converts f32 to bf16 in one vector instruction; without
/// one LLVM narrows element by element with a library call.
static bool hostConvertsBF16() {
  const llvm::StringMap<bool> &features = getHostFeatures();
  return features.lookup("avx512bf16") || features.lookup("avxneconvert");
}

/// Four vector registers' worth of f32: enough independent accumulators to
/// hide the latency of vector adds.
static int64_t getHostVectorSize() {
  const llvm::StringMap<bool> &features = getHostFeatures();
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

/// The CPU's vector size: the host's unless given.
static int64_t resolveVectorSize(const JitOptions &options) {
  return options.vectorSize != 0 ? options.vectorSize : getHostVectorSize();
}

/// Sets the options of the pipeline that `options` select.
static void setPipelineOptions(const JitOptions &options,
                               mlir::norm::CPUPipelineOptions &pipeline) {
  pipeline.vectorSize = resolveVectorSize(options);
  // Register blocks two vector registers wide: their 6 x 2 accumulators fit
  // AVX2's 16 registers as well as AVX-512's 32.
  pipeline.matmulCols = std::max<int64_t>(1, pipeline.vectorSize / 2);
  pipeline.parallel = options.parallel;
  pipeline.minTaskBytes = options.minTaskBytes;
  pipeline.fuseResidual = options.fuseResidual;
  pipeline.expandBF16 = options.expandBF16.value_or(!hostConvertsBF16());
  pipeline.x86AVX512BF16 =
      !pipeline.expandBF16 && getHostFeatures().lookup("avx512bf16");
  pipeline.streamingMinBytes = options.streamingMinBytes;
}

static void setPipelineOptions(const JitOptions &options,
                               mlir::norm::GPUPipelineOptions &pipeline) {
  pipeline.chip = options.gpuChip;
  pipeline.features = options.gpuFeatures;
  pipeline.format = options.gpuFormat;
  pipeline.threadsPerBlock = options.gpuThreadsPerBlock;
  pipeline.cudaPath = options.cudaPath;
  pipeline.fuseResidual = options.fuseResidual;
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

/// The function to run, or an error listing the module's functions.
static Expected<mlir::func::FuncOp> lookupEntry(mlir::ModuleOp module,
                                                StringRef entry) {
  auto func = module.lookupSymbol<mlir::func::FuncOp>(entry);
  if (func && !func.isExternal())
    return func;
  std::string available;
  for (auto f : module.getOps<mlir::func::FuncOp>())
    if (!f.isExternal())
      available += (available.empty() ? "@" : ", @") + f.getSymName().str();
  return makeError(
      "no function @" + entry + " to run in the module" +
      (available.empty() ? std::string() : " (functions: " + available + ")"));
}

/// The specs of `types`, the arguments or results (`what`) of `entry`.
static Expected<std::vector<TensorSpec>>
getSpecs(mlir::TypeRange types, StringRef what, StringRef entry) {
  std::vector<TensorSpec> specs;
  for (auto [i, type] : llvm::enumerate(types)) {
    Expected<TensorSpec> spec =
        getSpec(type, llvm::formatv("{0} #{1} of @{2}", what, i, entry).str());
    if (!spec)
      return spec.takeError();
    specs.push_back(std::move(*spec));
  }
  return specs;
}

namespace {
/// Collects the diagnostics of lowering and translation, with their
/// locations, for the error returned to the caller.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext *ctx)
      : handler(ctx, [this](mlir::Diagnostic &diag) {
          record(diag);
          return mlir::success();
        }) {}
  const std::string &str() const { return text; }

private:
  void record(mlir::Diagnostic &diag) {
    llvm::raw_string_ostream os(text);
    StringRef severity =
        diag.getSeverity() == mlir::DiagnosticSeverity::Error     ? "error"
        : diag.getSeverity() == mlir::DiagnosticSeverity::Warning ? "warning"
                                                                  : "note";
    os << diag.getLocation() << ": " << severity << ": " << diag << "\n";
    for (mlir::Diagnostic &note : diag.getNotes()) {
      // The IR dump MLIR attaches to pass failures buries the message.
      if (StringRef(note.str()).starts_with("see current operation"))
        continue;
      os << note.getLocation() << ": note: " << note << "\n";
    }
  }

  std::string text;
  mlir::ScopedDiagnosticHandler handler;
};
} // namespace

/// Lowers `module` to the LLVM dialect with the pipeline of the target.
static llvm::Error lower(mlir::ModuleOp module, StringRef entry,
                         const JitOptions &options,
                         const DiagnosticCollector &diagnostics) {
  bool gpu = options.target == Target::GPU;
  if (gpu && !device::isBuiltIn())
    return device::checkAvailable();
  mlir::PassManager pm(module->getContext());
  if (gpu) {
    mlir::norm::GPUPipelineOptions pipeline;
    setPipelineOptions(options, pipeline);
    mlir::norm::buildNormLowerToNVVMPipeline(pm, pipeline);
  } else {
    mlir::norm::CPUPipelineOptions pipeline;
    setPipelineOptions(options, pipeline);
    mlir::norm::buildNormLowerToCPUPipeline(pm, pipeline);
  }
  if (mlir::failed(pm.run(module)))
    return makeError("lowering @" + entry + " failed:\n" + diagnostics.str());
  if (options.dumpLoweredModule)
    module->print(llvm::errs());
  // The engine's constructors load the kernels: a device must be there.
  return gpu ? device::checkAvailable() : llvm::Error::success();
}

static llvm::CodeGenOptLevel getCodeGenOptLevel(unsigned optLevel) {
  return optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
         : optLevel == 0 ? llvm::CodeGenOptLevel::None
                         : llvm::CodeGenOptLevel::Default;
}

static Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(unsigned optLevel) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  Expected<llvm::orc::JITTargetMachineBuilder> machineBuilder =
      llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder)
    return machineBuilder.takeError();
  machineBuilder->setCodeGenOptLevel(getCodeGenOptLevel(optLevel));
  return machineBuilder->createTargetMachine();
}

/// The OpenMP runtime of parallel modules: LLVM's (the code calls its
/// __kmpc_* entry points), found by its soname; Debian's libomp5-14.
static constexpr const char *kOpenMPRuntime = "libomp.so.5";

/// Registers, once, an exit handler that ends libomp's worker threads
/// (omp_pause_resource_all(omp_pause_hard), OpenMP 5.0). Left running, they
/// crash LeakSanitizer's exit-time scan of the sanitizer builds. Handlers
/// run in reverse order, so this one runs before the sanitizer's.
static void stopOpenMPThreadsAtExit() {
  static const bool registered = [] {
    std::atexit([] {
      auto pause = reinterpret_cast<int (*)(int)>(
          llvm::sys::DynamicLibrary::SearchForAddressOfSymbol(
              "omp_pause_resource_all"));
      if (pause)
        pause(/*omp_pause_hard=*/2);
    });
    return true;
  }();
  (void)registered;
}

/// Loads the runtime libraries once for the process, not per engine. The JIT
/// finds their symbols in the process.
static llvm::Error loadRuntimeLibraries(const JitOptions &options) {
  llvm::SmallString<256> path(getRuntimeLibDir(options));
  llvm::sys::path::append(path, "libmlir_c_runner_utils.so");
  std::string error;
  if (llvm::sys::DynamicLibrary::LoadLibraryPermanently(path.c_str(), &error))
    return makeError("cannot load " + path + ": " + error +
                     " (set NORM_LLVM_RUNTIME_LIB_DIR)");
  if (!options.parallel)
    return llvm::Error::success();
  // After a parallel region libomp's workers spin for KMP_BLOCKTIME before
  // they sleep: 200 ms by default, which starves other thread pools of the
  // process (OpenMP's libgomp, OpenBLAS) on few cores. 1 ms still spares
  // back-to-back calls the wake-up (about 90 us on this VM). A value the
  // user set is kept.
  ::setenv("KMP_BLOCKTIME", "1", /*overwrite=*/0);
  if (llvm::sys::DynamicLibrary::LoadLibraryPermanently(kOpenMPRuntime, &error))
    return makeError(llvm::Twine("cannot load the OpenMP runtime ") +
                     kOpenMPRuntime + " that parallel code needs: " + error +
                     " (install libomp5-14, or run on one thread)");
  stopOpenMPThreadsAtExit();
  return llvm::Error::success();
}

/// JIT-compiles the lowered `module` for the host.
static Expected<std::unique_ptr<mlir::ExecutionEngine>>
createEngine(mlir::ModuleOp module, StringRef entry, const JitOptions &options,
             const DiagnosticCollector &diagnostics) {
  mlir::MLIRContext *ctx = module->getContext();
  mlir::registerBuiltinDialectTranslation(*ctx);
  mlir::registerLLVMDialectTranslation(*ctx);
  mlir::registerOpenMPDialectTranslation(*ctx);
  if (options.target == Target::GPU)
    mlir::registerGPUDialectTranslation(*ctx);
  Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createHostTargetMachine(options.optLevel);
  if (!machine)
    return machine.takeError();
  // The engine's options refer to the transformer: it must outlive them.
  std::function<llvm::Error(llvm::Module *)> transformer =
      mlir::makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                      machine->get());
  mlir::ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = getCodeGenOptLevel(options.optLevel);
  if (llvm::Error error = loadRuntimeLibraries(options))
    return error;
  auto engine =
      mlir::ExecutionEngine::create(module, engineOptions, std::move(*machine));
  if (!engine)
    return makeError("compiling @" + entry +
                     " failed: " + llvm::toString(engine.takeError()) + "\n" +
                     diagnostics.str());
  return engine;
}

Expected<std::unique_ptr<JitModule>>
JitModule::compile(mlir::ModuleOp module, StringRef entry,
                   const JitOptions &options) {
  if (llvm::Error error = validateJitOptions(options))
    return error;
  auto start = std::chrono::steady_clock::now();
  Expected<mlir::func::FuncOp> func = lookupEntry(module, entry);
  if (!func)
    return func.takeError();
  Expected<std::vector<TensorSpec>> arguments =
      getSpecs(func->getArgumentTypes(), "argument", entry);
  if (!arguments)
    return arguments.takeError();
  Expected<std::vector<TensorSpec>> results =
      getSpecs(func->getResultTypes(), "result", entry);
  if (!results)
    return results.takeError();
  (*func)->setAttr("llvm.emit_c_interface",
                   mlir::UnitAttr::get(module->getContext()));
  pruneUnreachableFunctions(module, *func);

  DiagnosticCollector diagnostics(module->getContext());
  if (llvm::Error error = lower(module, entry, options, diagnostics))
    return error;
  Expected<std::unique_ptr<mlir::ExecutionEngine>> engine =
      createEngine(module, entry, options, diagnostics);
  if (!engine)
    return engine.takeError();
  auto entryFn = (*engine)->lookupPacked(("_mlir_ciface_" + entry).str());
  if (!entryFn)
    return entryFn.takeError();
  std::unique_ptr<JitModule> jit(new JitModule());
  jit->engine = std::move(*engine);
  jit->entryFn = *entryFn;
  jit->arguments = std::move(*arguments);
  jit->results = std::move(*results);
  jit->vectorSize =
      options.target == Target::CPU ? resolveVectorSize(options) : 0;
  jit->target = options.target;
  jit->compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return jit;
}

// No quiescing at teardown: an OpenMP parallel region ends with a barrier
// that every thread reaches after returning from the JIT code, so none is
// still in it when the region's call returns.
JitModule::~JitModule() = default;

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

static std::vector<int64_t> getRanks(const std::vector<TensorSpec> &specs) {
  std::vector<int64_t> ranks;
  for (const TensorSpec &spec : specs)
    ranks.push_back(spec.shape.size());
  return ranks;
}

Expected<std::unique_ptr<PreparedCall>>
JitModule::prepare(std::vector<HostTensor> args) const {
  if (args.size() != arguments.size())
    return makeError(llvm::formatv("the entry takes {0} argument(s), {1} given",
                                   arguments.size(), args.size())
                         .str());
  std::unique_ptr<PreparedCall> call(new PreparedCall(*this));
  call->argumentDescriptors = MemRefDescriptors(getRanks(arguments));
  call->resultDescriptors = MemRefDescriptors(getRanks(results));
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
    call->bindArgument(i, std::move(array));
  }
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

void PreparedCall::bindArgument(size_t index, HostTensor tensor) {
  void *data = tensor.data.data();
  if (module.target == Target::GPU) {
    // Never null, so that results aliasing no argument are recognizable.
    data = device::allocate(std::max<size_t>(tensor.data.size(), 1));
    device::copyToDevice(data, tensor.data.data(), tensor.data.size());
    deviceArguments.push_back(data);
  }
  argumentDescriptors.setRowMajor(index, data, tensor.shape);
  argumentData.push_back(std::move(tensor.data));
}

void PreparedCall::invoke() {
  freeResults();
  // The C interface takes a pointer to the results, then a pointer to each
  // argument's descriptor; the packed wrapper takes pointers to those.
  llvm::SmallVector<void *> pointers;
  if (!resultDescriptors.empty())
    pointers.push_back(resultDescriptors.data());
  for (size_t i = 0, e = argumentDescriptors.size(); i < e; ++i)
    pointers.push_back(argumentDescriptors.get(i).descriptor);
  llvm::SmallVector<void *> packed;
  for (void *&pointer : pointers)
    packed.push_back(&pointer);
  module.entryFn(packed.data());
  hasResults = !resultDescriptors.empty();
}

/// The first byte of the elements of `memref`, of `elementSize` bytes each.
static const uint8_t *getStart(const DynamicMemRefType<uint8_t> &memref,
                               size_t elementSize) {
  return memref.data + memref.offset * static_cast<int64_t>(elementSize);
}

/// A host copy of the bytes a view of device memory spans (any strides).
static std::vector<uint8_t>
copySpanToHost(const DynamicMemRefType<uint8_t> &memref, size_t elementSize) {
  int64_t span = 1;
  for (int64_t d = 0; d < memref.rank; ++d)
    span += (memref.sizes[d] - 1) * memref.strides[d];
  std::vector<uint8_t> bytes(span * elementSize);
  device::copyToHost(bytes.data(), getStart(memref, elementSize), bytes.size());
  return bytes;
}

/// A row-major copy of the result `memref` of `spec`, from the device on the
/// GPU target.
static NpyArray copyResult(const TensorSpec &spec,
                           const DynamicMemRefType<uint8_t> &memref,
                           bool onDevice) {
  int64_t rank = memref.rank;
  NpyArray array;
  array.type = spec.type;
  array.shape.assign(memref.sizes, memref.sizes + rank);
  size_t elementSize = getElementSize(spec.type);
  array.data.resize(array.numElements() * elementSize);
  const uint8_t *base = getStart(memref, elementSize);
  std::vector<uint8_t> hostCopy;
  if (onDevice && array.numElements() > 0) {
    hostCopy = copySpanToHost(memref, elementSize);
    base = hostCopy.data();
  }
  // Strided copy into row-major order: results may be views.
  std::vector<int64_t> index(rank, 0);
  for (int64_t linear = 0, e = array.numElements(); linear < e; ++linear) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += index[d] * memref.strides[d];
    std::memcpy(array.data.data() + linear * elementSize,
                base + offset * static_cast<int64_t>(elementSize), elementSize);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < array.shape[d])
        break;
      index[d] = 0;
    }
  }
  return array;
}

std::vector<NpyArray> PreparedCall::getResults() const {
  std::vector<NpyArray> arrays;
  for (auto [i, spec] : llvm::enumerate(module.results))
    arrays.push_back(copyResult(spec, resultDescriptors.view(i),
                                module.target == Target::GPU));
  return arrays;
}

std::vector<NpyArrayRef> PreparedCall::getResultRefs() const {
  assert(module.target == Target::CPU && "results in host memory");
  std::vector<NpyArrayRef> refs;
  for (auto [i, spec] : llvm::enumerate(module.results)) {
    DynamicMemRefType<uint8_t> memref = resultDescriptors.view(i);
    size_t rank = memref.rank;
    refs.emplace_back(spec.type, llvm::ArrayRef<int64_t>(memref.sizes, rank),
                      llvm::ArrayRef<int64_t>(memref.strides, rank),
                      getStart(memref, getElementSize(spec.type)));
  }
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
  for (auto [i, spec, buffer] :
       llvm::enumerate(module.arguments, argumentData)) {
    Expected<AlignedBuffer> data = AlignedBuffer::allocate(buffer.size());
    if (!data)
      return data.takeError();
    if (buffer.size())
      std::memcpy(data->data(), buffer.data(), buffer.size());
    llvm::ArrayRef<int64_t> shape = argumentDescriptors.getSizes(i);
    tensors.push_back({spec.type, shape.vec(), std::move(*data)});
  }
  return module.prepare(std::move(tensors));
}

size_t PreparedCall::getResultBytes() const {
  size_t bytes = 0;
  for (auto [i, spec] : llvm::enumerate(module.results)) {
    size_t count = 1;
    for (int64_t size : resultDescriptors.getSizes(i))
      count *= size;
    bytes += count * getElementSize(spec.type);
  }
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
  for (size_t i = 0, e = resultDescriptors.size(); i < e; ++i) {
    void *allocated = resultDescriptors.view(i).basePtr;
    if (!allocated || !freed.insert(allocated).second)
      continue;
    if (module.target == Target::GPU)
      device::free(allocated);
    else
      std::free(allocated);
  }
  hasResults = false;
}

float PreparedCall::invokeTimedOnDevice() {
  if (module.target != Target::GPU)
    llvm::report_fatal_error("invokeTimedOnDevice needs the GPU target");
  // Free the previous results first: cuMemFree synchronizes, which must not
  // fall between the events.
  freeResults();
  device::synchronize();
  return device::timeOnDevice([&] { invoke(); });
}

PreparedCall::~PreparedCall() {
  freeResults();
  for (void *data : deviceArguments)
    device::free(data);
}

mlir::OwningOpRef<mlir::ModuleOp>
norm::parseModuleFile(llvm::StringRef path, llvm::SourceMgr &sourceMgr,
                      mlir::MLIRContext &context, std::string &openError) {
  auto file = mlir::openInputFile(path, &openError);
  if (!file)
    return nullptr;
  openError.clear();
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
}

void norm::reuseFreedMemory() {
  // The largest threshold mallopt takes (an int): with 1 GiB, a result of
  // exactly 1 GiB (the bench's DRAM-bound 65536x4096 f32) was mmapped anew
  // on every call and paid 262144 page faults, 4.3 us each here (1.85
  // against 7.4 GB/s at half the size).
  constexpr int kLargest = std::numeric_limits<int>::max();
  mallopt(M_MMAP_THRESHOLD, kLargest);
  mallopt(M_TRIM_THRESHOLD, kLargest);
}
