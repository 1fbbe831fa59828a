//===- norm-runner.cpp - JIT-compile and run a norm module ----------------===//
//
// Parses a module, lowers it with norm-lower-to-cpu, JIT-compiles it with
// MLIR's ExecutionEngine and calls one entry function on tensors read from
// .npy files or generated from a seed; prints, saves and times the results.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/Passes.h"
#include "norm/ExecutionEngine/Device.h"
#include "norm/ExecutionEngine/JitModule.h"
#include "norm/InitAll.h"
#include "norm/Support/HalfFloat.h"
#include "norm/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <unistd.h>

using namespace norm;
namespace cl = llvm::cl;

namespace {
/// The binary formats the JIT loads (norm-lower-to-nvvm's `format`).
enum class GPUFormat { Isa, Bin, Fatbin };
enum class NormKind { AsWritten, RMS, Layer };

llvm::StringRef getName(GPUFormat format) {
  switch (format) {
  case GPUFormat::Isa:
    return "isa";
  case GPUFormat::Bin:
    return "bin";
  case GPUFormat::Fatbin:
    return "fatbin";
  }
  llvm_unreachable("unknown GPU format");
}

/// The pipeline's default format.
GPUFormat getDefaultGPUFormat() {
  for (GPUFormat format : {GPUFormat::Isa, GPUFormat::Bin, GPUFormat::Fatbin})
    if (getName(format) == mlir::norm::kDefaultGPUFormat)
      return format;
  llvm_unreachable("the pipeline's default format is one the JIT loads");
}

/// Command-line options, local to main so they cannot clash with LLVM's.
struct Options {
  cl::OptionCategory category{"norm-runner options"};
  cl::opt<std::string> inputFile{cl::Positional, cl::desc("<input .mlir>"),
                                 cl::Required, cl::cat(category)};
  cl::opt<std::string> entry{"e", cl::desc("Entry function to run"),
                             cl::value_desc("name"), cl::init("main"),
                             cl::cat(category)};
  cl::opt<Target> target{"target", cl::desc("Where to run"),
                         cl::init(Target::CPU), getTargetOptionValues(),
                         cl::cat(category)};
  cl::opt<std::string> gpuChip{"gpu-chip", cl::desc("GPU target: architecture"),
                               cl::init(mlir::norm::kDefaultGPUChip),
                               cl::cat(category)};
  cl::opt<std::string> gpuFeatures{
      "gpu-features", cl::desc("GPU target: PTX features"),
      cl::init(mlir::norm::kDefaultGPUFeatures), cl::cat(category)};
  cl::opt<GPUFormat> gpuFormat{
      "gpu-format", cl::desc("GPU target: binary format"),
      cl::init(getDefaultGPUFormat()),
      cl::values(
          clEnumValN(GPUFormat::Isa, "isa", "PTX, JIT-compiled by the driver"),
          clEnumValN(GPUFormat::Bin, "bin", "cubin (needs ptxas)"),
          clEnumValN(GPUFormat::Fatbin, "fatbin", "fat binary (needs ptxas)")),
      cl::cat(category)};
  cl::opt<int64_t> threadsPerBlock{
      "threads-per-block", cl::desc("GPU target: threads per block"),
      cl::init(mlir::norm::kDefaultThreadsPerBlock), cl::cat(category)};
  cl::opt<std::string> cudaPath{
      "cuda-path",
      cl::desc("GPU target: CUDA toolkit root for libdevice (default "
               "$CUDA_HOME, $CUDA_PATH, else /usr/local/cuda)"),
      cl::init(mlir::norm::kDefaultCudaPath), cl::cat(category)};
  cl::list<std::string> inputs{
      "input",
      cl::desc("Argument from a .npy file: PATH (in argument order) or "
               "INDEX=PATH"),
      cl::value_desc("[INDEX=]PATH"), cl::cat(category)};
  cl::opt<bool> randomInputs{
      "random-inputs",
      cl::desc("Generate arguments not given by --input: values drawn from "
               "N(0, 1) (mt19937_64 seeded with --seed + argument index), "
               "rounded to the argument's element type; an argument "
               "attribute norm_runner.init = \"fan_in\" scales them by "
               "1/sqrt(dim 0), \"ones\" and \"zeros\" fill constants"),
      cl::cat(category)};
  cl::opt<uint64_t> seed{"seed", cl::desc("Seed of --random-inputs"),
                         cl::init(0), cl::cat(category)};
  cl::list<std::string> compare{
      "compare",
      cl::desc("Print the relative L2 difference of each result to a .npy "
               "file, in result order"),
      cl::value_desc("PATH"), cl::cat(category)};
  cl::list<std::string> shapes{
      "shape",
      cl::desc("Shape of a generated argument with dynamic dims, e.g. "
               "0=4096x4096"),
      cl::value_desc("INDEX=DxDx..."), cl::cat(category)};
  cl::list<std::string> outputs{
      "output", cl::desc("Write results to .npy files, in result order"),
      cl::value_desc("PATH"), cl::cat(category)};
  cl::opt<bool> print{"print", cl::desc("Print results (numpy-like)"),
                      cl::cat(category)};
  cl::opt<unsigned> bench{
      "bench",
      cl::desc("Time N runs after warm-up; print median and min "
               "time and effective GB/s"),
      cl::init(0), cl::cat(category)};
  cl::opt<unsigned> benchWarmup{
      "bench-warmup",
      cl::desc("Untimed runs before the timed --bench runs on the CPU, after "
               "the first (reported) run (default 3; fewer for runs of "
               "seconds)"),
      cl::init(3), cl::cat(category)};
  cl::opt<bool> reportMemory{
      "report-memory",
      cl::desc("Print the peak memory (RSS) taken after compiling, next to "
               "the bytes of the arguments and results"),
      cl::cat(category)};
  cl::opt<int64_t> vectorSize{
      "vector-size",
      cl::desc("Elements per vector tile (0: from the host's vector width)"),
      cl::init(0), cl::cat(category)};
  cl::opt<bool> parallel{
      "parallel",
      cl::desc("Run rows on all cores (OpenMP, LLVM's libomp); "
               "--parallel=false for one thread"),
      cl::init(true), cl::cat(category)};
  cl::opt<bool> fuseResidual{
      "fuse-residual",
      cl::desc("Fuse residual adds into the norm ops they feed "
               "(norm-fuse-residual); --fuse-residual=false keeps them apart"),
      cl::init(true), cl::cat(category)};
  cl::opt<int64_t> streamingMinBytes{
      "streaming-min-bytes",
      cl::desc("Smallest result written with non-temporal stores "
               "(norm-lower-to-cpu's streaming-min-bytes)"),
      cl::init(mlir::norm::kDefaultStreamingMinBytes), cl::cat(category)};
  cl::opt<bool> expandBF16{
      "expand-bf16",
      cl::desc("Convert between bf16 and f32 with integer arithmetic "
               "(norm-lower-to-cpu's expand-bf16); default: only where the "
               "host has no bf16 conversion instruction"),
      cl::cat(category)};
  cl::opt<unsigned> optLevel{"O", cl::desc("LLVM optimization level"),
                             cl::init(mlir::norm::kDefaultOptLevel), cl::Prefix,
                             cl::cat(category)};
  cl::opt<bool> dumpLowered{"dump-lowered",
                            cl::desc("Print the lowered LLVM-dialect module"),
                            cl::cat(category)};
  cl::opt<NormKind> normKind{
      "norm",
      cl::desc("Switch every norm op before compiling (the norm-set-kind "
               "pass); default: as written"),
      cl::init(NormKind::AsWritten),
      cl::values(clEnumValN(NormKind::RMS, "rms", "RMSNorm"),
                 clEnumValN(NormKind::Layer, "layer", "LayerNorm")),
      cl::cat(category)};
  cl::opt<bool> paramStats{
      "param-stats", cl::desc("Print the number of normalization parameters"),
      cl::cat(category)};
  cl::opt<bool> summary{"summary",
                        cl::desc("Print each result's shape, first values and "
                                 "checksum, and the compile and run times"),
                        cl::cat(category)};
};

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "norm-runner") << message << "\n";
  return 1;
}

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// More runs than anyone waits for; also bounds the timing vector.
constexpr unsigned kMaxBenchRuns = 1000000;

/// One --input or --shape: INDEX=VALUE, or a VALUE for the next argument.
struct Indexed {
  std::optional<uint64_t> index;
  std::string value;
  std::string text; // As given, for messages.
};

/// Splits "INDEX=VALUE"; text without a leading run of digits and '=' is all
/// VALUE. An index too large for uint64 is an error, not a path.
llvm::Expected<Indexed> splitIndexed(llvm::StringRef flag,
                                     llvm::StringRef text) {
  auto [head, tail] = text.split('=');
  if (head.empty() || !llvm::all_of(head, llvm::isDigit) ||
      text.size() == head.size())
    return Indexed{std::nullopt, text.str(), text.str()};
  uint64_t index;
  if (head.getAsInteger(10, index))
    return makeError(flag + " " + text + ": argument index " + head +
                     " is too large");
  return Indexed{index, tail.str(), text.str()};
}

/// Parses dims like 4096x4096 (empty: rank 0); each dim and the element count
/// must fit int64.
llvm::Expected<std::vector<int64_t>> parseShape(llvm::StringRef text) {
  std::vector<int64_t> shape;
  if (text.empty())
    return shape;
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, 'x');
  for (llvm::StringRef part : parts) {
    int64_t dim;
    if (part.empty() || !llvm::all_of(part, llvm::isDigit))
      return makeError("malformed shape '" + text +
                       "': expected non-negative dims like 4096x4096");
    if (part.getAsInteger(10, dim))
      return makeError("shape '" + text + "': dim " + part + " is too large");
    shape.push_back(dim);
  }
  if (!getNumElements(shape))
    return makeError("shape '" + text +
                     "': the number of elements overflows 64 bits");
  return shape;
}

/// The flags that need no module: ranges and syntax.
llvm::Error checkFlags(const Options &options) {
  for (auto [flag, runs] : {std::pair{"--bench", &options.bench},
                            std::pair{"--bench-warmup", &options.benchWarmup}})
    if (*runs > kMaxBenchRuns)
      return makeError(llvm::formatv("{0} {1}: at most {2} runs", flag,
                                     runs->getValue(), kMaxBenchRuns)
                           .str());
  for (const std::string &text : options.shapes) {
    llvm::Expected<Indexed> shape = splitIndexed("--shape", text);
    if (!shape)
      return shape.takeError();
    if (!shape->index)
      return makeError("--shape " + text +
                       ": expected INDEX=DIMS with an argument index");
    if (llvm::Error error = parseShape(shape->value).takeError())
      return makeError("--shape " + text + ": " +
                       llvm::toString(std::move(error)));
  }
  for (const std::string &text : options.inputs)
    if (llvm::Error error = splitIndexed("--input", text).takeError())
      return error;
  return llvm::Error::success();
}

JitOptions getJitOptions(const Options &options) {
  JitOptions jitOptions;
  jitOptions.vectorSize = options.vectorSize;
  jitOptions.optLevel = options.optLevel;
  jitOptions.parallel = options.parallel;
  jitOptions.fuseResidual = options.fuseResidual;
  jitOptions.streamingMinBytes = options.streamingMinBytes;
  if (options.expandBF16.getNumOccurrences())
    jitOptions.expandBF16 = options.expandBF16;
  jitOptions.dumpLoweredModule = options.dumpLowered;
  jitOptions.target = options.target;
  jitOptions.gpuChip = options.gpuChip;
  jitOptions.gpuFeatures = options.gpuFeatures;
  jitOptions.gpuFormat = getName(options.gpuFormat).str();
  jitOptions.gpuThreadsPerBlock = options.threadsPerBlock;
  jitOptions.cudaPath = options.cudaPath;
  return jitOptions;
}

/// How --random-inputs fills an argument.
enum class Init { Normal, FanIn, Ones, Zeros };

/// The `norm_runner.init` attribute of each argument of `entry`: "normal"
/// (the default, N(0, 1): activations), "fan_in" (N(0, 1/fan_in), fan_in
/// the first dim, as for the [in, out] weights of x @ W), "ones" (norm
/// scales), "zeros" (biases).
llvm::Expected<std::vector<Init>> getInits(mlir::func::FuncOp entry) {
  std::vector<Init> inits;
  for (unsigned i = 0, e = entry.getNumArguments(); i < e; ++i) {
    auto attr = entry.getArgAttrOfType<mlir::StringAttr>(i, "norm_runner.init");
    std::optional<Init> init =
        !attr ? std::optional(Init::Normal)
              : llvm::StringSwitch<std::optional<Init>>(attr.getValue())
                    .Case("normal", Init::Normal)
                    .Case("fan_in", Init::FanIn)
                    .Case("ones", Init::Ones)
                    .Case("zeros", Init::Zeros)
                    .Default(std::nullopt);
    if (!init)
      return makeError(llvm::formatv("argument #{0} of @{1}: unknown "
                                     "norm_runner.init \"{2}\" (expected "
                                     "normal, fan_in, ones or zeros)",
                                     i, entry.getSymName(), attr.getValue())
                           .str());
    inits.push_back(*init);
  }
  return inits;
}

/// Where an argument comes from: a .npy file whose header has been checked,
/// or generated values of a given shape.
struct ArgumentSource {
  std::optional<NpyFile> file;
  std::vector<int64_t> shape;
  int64_t bytes = 0; // In the argument's element type.
  Init init = Init::Normal;
};

/// Opens the --input files and settles the shapes of the generated
/// arguments, checking each against the entry; nothing is allocated yet.
llvm::Expected<std::vector<ArgumentSource>>
getArgumentSources(const Options &options, const JitModule &jit,
                   llvm::ArrayRef<Init> inits) {
  const std::vector<TensorSpec> &specs = jit.getArguments();
  std::vector<ArgumentSource> sources(specs.size());
  for (auto [source, init] : llvm::zip(sources, inits))
    source.init = init;
  uint64_t nextIndex = 0;
  for (const std::string &text : options.inputs) {
    Indexed input = cantFail(splitIndexed("--input", text));
    uint64_t index = input.index.value_or(nextIndex);
    if (index >= specs.size())
      return makeError(llvm::formatv("--input {0}: the entry has {1} "
                                     "argument(s)",
                                     text, specs.size())
                           .str());
    nextIndex = index + 1;
    llvm::Expected<NpyFile> file = NpyFile::open(input.value);
    if (!file)
      return file.takeError();
    // numpy has no bf16: f32 files feed bf16 arguments (rounded).
    ElementType type = file->getType();
    if (specs[index].type == ElementType::BF16 && type == ElementType::F32)
      type = ElementType::BF16;
    if (llvm::Error error = jit.checkArgument(index, type, file->getShape()))
      return error;
    sources[index].shape.assign(file->getShape().begin(),
                                file->getShape().end());
    sources[index].bytes = *getByteSize(type, sources[index].shape);
    sources[index].file.emplace(std::move(*file));
  }
  std::vector<std::optional<std::vector<int64_t>>> givenShapes(specs.size());
  for (const std::string &text : options.shapes) {
    Indexed shape = cantFail(splitIndexed("--shape", text));
    if (*shape.index >= specs.size())
      return makeError(llvm::formatv("--shape {0}: the entry has {1} "
                                     "argument(s)",
                                     text, specs.size())
                           .str());
    givenShapes[*shape.index] = cantFail(parseShape(shape.value));
  }
  for (auto [index, spec] : llvm::enumerate(specs)) {
    if (sources[index].file)
      continue;
    if (!options.randomInputs)
      return makeError(llvm::formatv("argument #{0} ({1}) has no --input; "
                                     "pass one or use --random-inputs",
                                     index, spec.text)
                           .str());
    std::vector<int64_t> shape(spec.shape.begin(), spec.shape.end());
    if (givenShapes[index])
      shape = *givenShapes[index];
    else if (llvm::any_of(shape, mlir::ShapedType::isDynamic))
      return makeError(llvm::formatv("argument #{0} ({1}) has dynamic dims: "
                                     "give its shape with --shape {0}=DxD...",
                                     index, spec.text)
                           .str());
    if (llvm::Error error = jit.checkArgument(index, spec.type, shape))
      return error;
    std::optional<int64_t> bytes = getByteSize(spec.type, shape);
    if (!bytes)
      return makeError(llvm::formatv("argument #{0}: shape {1} is too large",
                                     index, formatNpyShape(shape))
                           .str());
    sources[index].shape = std::move(shape);
    sources[index].bytes = *bytes;
  }
  return sources;
}

/// Refuses arguments that together exceed the machine's memory, before any
/// is allocated: the results need room too.
llvm::Error checkArgumentBytes(llvm::ArrayRef<ArgumentSource> sources) {
  int64_t total = 0;
  for (const ArgumentSource &source : sources)
    if (llvm::AddOverflow(total, source.bytes, total))
      return makeError("the arguments' bytes overflow 64 bits");
  uint64_t physical = getPhysicalMemoryBytes();
  if (physical && static_cast<uint64_t>(total) > physical)
    return makeError(llvm::formatv("the arguments need {0} bytes, more than "
                                   "the {1} bytes of physical memory",
                                   total, physical)
                         .str());
  return llvm::Error::success();
}

/// Fills `data` as `source.init` says, values rounded to `type`; random
/// ones drawn in element order from mt19937_64 seeded with `seed`, a chunk at
/// a time.
void fillGenerated(const ArgumentSource &source, ElementType type,
                   uint64_t seed, llvm::MutableArrayRef<uint8_t> data) {
  std::mt19937_64 engine(seed);
  double scale = 1.0;
  if (source.init == Init::FanIn && !source.shape.empty() &&
      source.shape.front() > 0)
    scale = 1.0 / std::sqrt(static_cast<double>(source.shape.front()));
  std::normal_distribution<double> normal(0.0, 1.0);
  auto next = [&]() -> double {
    switch (source.init) {
    case Init::Ones:
      return 1.0;
    case Init::Zeros:
      return 0.0;
    case Init::Normal:
    case Init::FanIn:
      return scale * normal(engine);
    }
    llvm_unreachable("unknown init");
  };
  size_t elementSize = getElementSize(type);
  int64_t count = data.size() / elementSize;
  constexpr int64_t kChunk = 1 << 16;
  std::vector<double> values;
  for (int64_t start = 0; start < count; start += kChunk) {
    int64_t n = std::min(kChunk, count - start);
    values.resize(n);
    for (double &v : values)
      v = next();
    NpyArray chunk = fromDoubles(type, {n}, values);
    std::memcpy(data.data() + start * elementSize, chunk.data.data(),
                chunk.data.size());
  }
}

/// Allocates each argument and reads or generates it in place.
llvm::Expected<std::vector<HostTensor>>
loadArguments(const Options &options, const JitModule &jit,
              std::vector<ArgumentSource> &sources) {
  std::vector<HostTensor> tensors;
  for (auto [index, source, spec] :
       llvm::enumerate(sources, jit.getArguments())) {
    llvm::Expected<AlignedBuffer> buffer =
        AlignedBuffer::allocate(source.bytes);
    if (!buffer)
      return makeError(llvm::formatv("argument #{0}: {1}", index,
                                     llvm::toString(buffer.takeError()))
                           .str());
    if (source.file) {
      if (llvm::Error error = source.file->read(spec.type, buffer->getBytes()))
        return error;
      source.file.reset(); // Close it: an output may replace it.
    } else {
      fillGenerated(source, spec.type, options.seed + index,
                    buffer->getBytes());
    }
    tensors.push_back({spec.type, std::move(source.shape), std::move(*buffer)});
  }
  return tensors;
}

/// Writes the results to the --output files: each to a temporary file first,
/// all renamed once every one is complete.
llvm::Error writeOutputs(const Options &options,
                         llvm::ArrayRef<NpyArrayRef> results) {
  std::vector<PendingNpyFile> files;
  for (auto [path, result] : llvm::zip_first(options.outputs, results)) {
    llvm::Expected<PendingNpyFile> file = PendingNpyFile::write(path, result);
    if (!file)
      return file.takeError();
    files.push_back(std::move(*file));
  }
  for (PendingNpyFile &file : files)
    if (llvm::Error error = file.commit())
      return error;
  return llvm::Error::success();
}

/// --compare: ||result - reference|| / ||reference|| (L2) and the largest
/// absolute difference, for each result given a reference.
llvm::Error printComparisons(const Options &options,
                             llvm::ArrayRef<NpyArrayRef> results) {
  for (auto [index, path, result] : llvm::enumerate(options.compare, results)) {
    llvm::Expected<NpyFile> file = NpyFile::open(path);
    if (!file)
      return file.takeError();
    if (file->getShape() != result.shape)
      return makeError(llvm::formatv("--compare {0}: shape {1}, but result "
                                     "#{2} has shape {3}",
                                     path, formatNpyShape(file->getShape()),
                                     index, formatNpyShape(result.shape))
                           .str());
    std::vector<double> reference(result.numElements());
    llvm::MutableArrayRef<uint8_t> bytes(
        reinterpret_cast<uint8_t *>(reference.data()),
        reference.size() * sizeof(double));
    if (llvm::Error error = file->read(ElementType::F64, bytes))
      return error;
    double diffSquares = 0, referenceSquares = 0, maxDiff = 0;
    int64_t position = 0;
    forEachChunk(result, ElementType::F64, 1 << 16, [&](const NpyArray &chunk) {
      for (double value : toDoubles(chunk)) {
        double diff = value - reference[position++];
        diffSquares += diff * diff;
        maxDiff = std::max(maxDiff, std::fabs(diff));
      }
    });
    for (double value : reference)
      referenceSquares += value * value;
    llvm::outs() << llvm::formatv(
        "result #{0}: relative difference to {1}: {2:e3} (max |diff| "
        "{3:e3})\n",
        index, path,
        referenceSquares > 0 ? std::sqrt(diffSquares / referenceSquares)
                             : std::sqrt(diffSquares),
        maxDiff);
  }
  return llvm::Error::success();
}

/// Prints `array` like numpy, eliding the middle of long dims.
class ArrayPrinter {
public:
  ArrayPrinter(const NpyArrayRef &array, llvm::raw_ostream &os)
      : array(array), os(os), summarize(array.numElements() > 1000) {}

  void print() {
    if (array.shape.empty()) {
      printValue(0);
      os << "\n";
      return;
    }
    printDim(0, 0);
    os << "\n";
  }

private:
  void printValue(int64_t index) {
    double v = array.getAsDouble(index);
    if (array.type == ElementType::I32 || array.type == ElementType::I64 ||
        array.type == ElementType::I8 || array.type == ElementType::Bool)
      os << llvm::formatv("{0}", static_cast<int64_t>(v));
    else
      os << llvm::format("%11.6g", v);
  }

  void printDim(size_t dim, int64_t base) {
    int64_t size = array.shape[dim];
    int64_t stride = 1;
    for (size_t d = dim + 1; d < array.shape.size(); ++d)
      stride *= array.shape[d];
    os << "[";
    for (int64_t i = 0; i < size; ++i) {
      if (summarize && size > 6 && i == 3) {
        os << (dim + 1 == array.shape.size() ? " ...," : " ...\n");
        i = size - 3;
      }
      if (i > 0 && dim + 1 < array.shape.size())
        os << std::string(dim + 1, ' ');
      if (dim + 1 == array.shape.size())
        printValue(base + i);
      else
        printDim(dim + 1, base + i * stride);
      if (i + 1 < size)
        os << (dim + 1 == array.shape.size() ? "," : ",\n");
    }
    os << "]";
  }

  const NpyArrayRef &array;
  llvm::raw_ostream &os;
  bool summarize;
};

void printHeading(const JitModule &jit, size_t index,
                  const NpyArrayRef &result) {
  llvm::outs() << "result #" << index << ": " << jit.getResults()[index].text
               << " shape [";
  llvm::interleaveComma(result.shape, llvm::outs());
  llvm::outs() << "]";
}

/// Shape, first values, sum and mean |x| of each result.
void printSummary(const JitModule &jit, llvm::ArrayRef<NpyArrayRef> results) {
  for (auto [index, result] : llvm::enumerate(results)) {
    double sum = 0, absSum = 0;
    forEachChunk(result, result.type, 1 << 16, [&](const NpyArray &chunk) {
      for (double v : toDoubles(chunk)) {
        sum += v;
        absSum += std::fabs(v);
      }
    });
    int64_t count = result.numElements();
    printHeading(jit, index, result);
    llvm::outs() << " first [";
    for (int64_t i = 0; i < std::min<int64_t>(4, count); ++i)
      llvm::outs() << (i ? ", " : "")
                   << llvm::format("%.6g", result.getAsDouble(i));
    llvm::outs() << llvm::format("] sum %.6g mean|x| %.6g\n", sum,
                                 count == 0 ? 0.0 : absSum / count);
  }
}

/// Resident and peak resident bytes of the process, from /proc (0 where it
/// is not readable).
std::pair<uint64_t, uint64_t> getResidentBytes() {
  auto buffer = llvm::MemoryBuffer::getFileAsStream("/proc/self/status");
  if (!buffer)
    return {0, 0};
  uint64_t rss = 0, peak = 0;
  llvm::SmallVector<llvm::StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (llvm::StringRef line : lines) {
    uint64_t *field = line.consume_front("VmRSS:")   ? &rss
                      : line.consume_front("VmHWM:") ? &peak
                                                     : nullptr;
    llvm::StringRef value = line.trim();
    if (field && value.consume_back("kB") &&
        !value.trim().getAsInteger(10, *field))
      *field *= 1024;
  }
  return {rss, peak};
}

/// --report-memory: the peak RSS is reset after compiling, so that what it
/// measures is the arguments, the call and the outputs.
class MemoryReport {
public:
  void start() {
    // Writing 5 resets the peak (Linux >= 4.0); without it the compile's
    // peak may hide the data's.
    int fd = ::open("/proc/self/clear_refs", O_WRONLY);
    resetPeak = fd >= 0 && ::write(fd, "5", 1) == 1;
    if (fd >= 0)
      ::close(fd);
    baseline = getResidentBytes().first;
  }

  void print(size_t argumentBytes, size_t resultBytes) const {
    uint64_t peak = getResidentBytes().second;
    uint64_t data = argumentBytes + resultBytes;
    uint64_t above = peak > baseline ? peak - baseline : 0;
    llvm::outs() << llvm::formatv(
        "memory: peak RSS {0} MiB, {1} MiB above the {2} MiB after compiling "
        "{3}; arguments {4} MiB + results {5} MiB; ratio {6:f3}\n",
        peak >> 20, above >> 20, baseline >> 20,
        resetPeak ? "(peak reset)" : "(peak not resettable)",
        argumentBytes >> 20, resultBytes >> 20,
        data ? static_cast<double>(above) / data : 0.0);
  }

private:
  uint64_t baseline = 0;
  bool resetPeak = false;
};

/// GPU --bench: milliseconds of device time of `runs` calls, the inputs
/// rotated over `copies` copies of `first`'s so that L2 cannot hold them.
llvm::Expected<std::vector<double>>
timeEntryOnDevice(PreparedCall &first, size_t copies, unsigned runs) {
  std::vector<std::unique_ptr<PreparedCall>> calls;
  for (size_t i = 1; i < copies; ++i) {
    auto call = first.copy();
    if (!call)
      return call.takeError();
    calls.push_back(std::move(*call));
  }
  auto next = [&, i = size_t(0)]() mutable -> PreparedCall & {
    size_t k = i++ % copies;
    return k == 0 ? first : *calls[k - 1];
  };
  for (size_t i = 0; i < 3 * copies; ++i)
    next().invokeTimedOnDevice();
  std::vector<double> ms;
  for (unsigned i = 0; i < runs; ++i)
    ms.push_back(next().invokeTimedOnDevice());
  return ms;
}

/// Milliseconds of `runs` device-to-device copies of `bytes`, the buffers
/// rotated over `copies` pairs the same way.
std::vector<double> timeCopyOnDevice(size_t bytes, size_t copies,
                                     unsigned runs) {
  std::vector<std::pair<void *, void *>> buffers;
  for (size_t i = 0; i < copies; ++i)
    buffers.push_back({device::allocate(bytes), device::allocate(bytes)});
  std::vector<double> ms;
  for (unsigned i = 0; i < runs + 3 * copies; ++i) {
    auto [src, dst] = buffers[i % copies];
    float elapsed = device::timeOnDevice(
        [&, src = src, dst = dst] { device::copyOnDevice(dst, src, bytes); });
    if (i >= 3 * copies)
      ms.push_back(elapsed);
  }
  for (auto [src, dst] : buffers) {
    device::free(src);
    device::free(dst);
  }
  return ms;
}

/// GPU --bench: device time from CUDA events around each call, next to a
/// device-to-device copy of the same bytes timed the same way.
llvm::Error benchOnDevice(const JitModule &jit, PreparedCall &first,
                          unsigned runs) {
  constexpr size_t kRotationBytes = size_t(256) << 20; // > 5x an H100's L2
  size_t bytes = first.getBytesMoved();
  size_t copies =
      std::clamp<size_t>(kRotationBytes / std::max<size_t>(bytes, 1), 1, 16);
  llvm::Expected<std::vector<double>> ms =
      timeEntryOnDevice(first, copies, runs);
  if (!ms)
    return ms.takeError();
  // Copy: read bytes/2, write bytes/2.
  size_t half = std::max<size_t>(bytes / 2, 1);
  std::vector<double> copyMs = timeCopyOnDevice(half, copies, runs);
  std::sort(ms->begin(), ms->end());
  std::sort(copyMs.begin(), copyMs.end());
  double median = (*ms)[ms->size() / 2], copyMedian = copyMs[copyMs.size() / 2];
  double gbps = bytes / (median * 1e-3) * 1e-9;
  double copyGbps = 2.0 * half / (copyMedian * 1e-3) * 1e-9;
  llvm::outs() << llvm::formatv(
      "bench: {0} runs on {1}, median {2:f4} ms, min {3:f4} ms, {4:f1} GB/s "
      "({5} bytes read + written per run, {6} input copies rotated); device "
      "copy of the same bytes {7:f1} GB/s; ratio {8:f3}; compile {9:f3} s\n",
      ms->size(), device::getName(), median, ms->front(), gbps, bytes, copies,
      copyGbps, gbps / copyGbps, jit.getCompileSeconds());
  return llvm::Error::success();
}

/// CPU --bench: median and min wall time of `runs` calls after warm-up,
/// with the memory bandwidth and, where the module has matmuls, their
/// FLOP rate.
void benchOnHost(const JitModule &jit, PreparedCall &call, unsigned runs,
                 unsigned warmups, int64_t flops) {
  for (unsigned warmup = 0; warmup < warmups; ++warmup)
    call.invoke();
  std::vector<double> seconds;
  for (unsigned i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    call.invoke();
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2];
  double bytes = static_cast<double>(call.getBytesMoved());
  llvm::outs() << llvm::formatv(
      "bench: {0} runs, median {1:f3} ms, min {2:f3} ms, {3:f2} GB/s "
      "({4} bytes read + written per run), ",
      seconds.size(), median * 1e3, seconds.front() * 1e3,
      bytes / median * 1e-9, static_cast<uint64_t>(bytes));
  if (flops > 0)
    llvm::outs() << llvm::formatv("{0:f2} GFLOP/s ({1} matmul FLOPs per "
                                  "run), ",
                                  flops / median * 1e-9, flops);
  llvm::outs() << llvm::formatv("compile {0:f3} s\n", jit.getCompileSeconds());
}

/// FLOPs of the contractions (matmuls, batch matmuls: 2 per multiply-add)
/// of static shape in `module`; the rest of the work is not counted.
int64_t countContractionFlops(mlir::ModuleOp module) {
  int64_t flops = 0;
  module.walk([&](mlir::linalg::LinalgOp op) {
    if (!mlir::linalg::isaContractionOpInterface(op))
      return;
    int64_t count = 2;
    for (int64_t range : op.getStaticLoopRanges())
      if (mlir::ShapedType::isDynamic(range) ||
          llvm::MulOverflow(count, range, count))
        return;
    flops += count;
  });
  return flops;
}

void printParamStats(mlir::ModuleOp module) {
  mlir::norm::NormParameterCount count =
      mlir::norm::countNormParameters(module);
  for (const auto &op : count.ops)
    llvm::outs() << llvm::formatv(
        "{0}: {1} parameters (scale {2}, bias {3}, feature_epsilon {4}){5}\n",
        op.op->getName(), op.total(), op.scale, op.bias, op.featureEpsilon,
        op.dynamic ? " + dynamic" : "");
  llvm::outs() << "normalization parameters: " << count.total << " in "
               << count.ops.size() << " norm ops\n";
}
/// An error whose diagnostic has been printed already (by the parser, the
/// verifier or a pass), so that main only fails.
class ReportedError : public llvm::ErrorInfo<ReportedError> {
public:
  static char ID;
  void log(llvm::raw_ostream &os) const override {
    os << "(diagnostic printed)";
  }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
};
char ReportedError::ID;

/// Every flag is checked before any work.
llvm::Error checkOptions(const Options &options) {
  JitOptions jitOptions = getJitOptions(options);
  if (llvm::Error error = checkFlags(options))
    return error;
  return validateJitOptions(jitOptions);
}

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
parseInput(llvm::StringRef path, llvm::SourceMgr &sourceMgr,
           mlir::MLIRContext &context) {
  std::string openError;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      parseModuleFile(path, sourceMgr, context, openError);
  if (!module)
    return openError.empty() ? llvm::make_error<ReportedError>()
                             : makeError(openError);
  return module;
}

/// What the module says before it is compiled.
struct ModuleFacts {
  std::vector<Init> inits; // Of the entry's arguments.
  int64_t flops = 0;       // See countContractionFlops.
};

/// Prunes what the entry does not reach, switches the norm kind (--norm),
/// prints the parameter counts (--param-stats) and reads the entry's inits.
llvm::Expected<ModuleFacts> inspectModule(const Options &options,
                                          mlir::ModuleOp module) {
  // Only what the entry reaches is switched, counted and compiled.
  if (auto entry = module.lookupSymbol<mlir::func::FuncOp>(options.entry))
    pruneUnreachableFunctions(module, entry);
  if (options.normKind != NormKind::AsWritten &&
      mlir::failed(mlir::norm::setNormKind(
          module, options.normKind == NormKind::RMS ? "rms" : "layer")))
    return llvm::make_error<ReportedError>(); // It names the op or the kind.
  if (options.paramStats)
    printParamStats(module);
  ModuleFacts facts;
  if (auto entry = module.lookupSymbol<mlir::func::FuncOp>(options.entry)) {
    auto inits = getInits(entry);
    if (!inits)
      return inits.takeError();
    facts.inits = std::move(*inits);
  }
  facts.flops = countContractionFlops(module);
  return facts;
}

/// Compiles the entry and checks that it returns a result for each --output
/// and --compare file.
llvm::Expected<std::unique_ptr<JitModule>> compileEntry(const Options &options,
                                                        mlir::ModuleOp module) {
  auto jit = JitModule::compile(module, options.entry, getJitOptions(options));
  if (!jit)
    return jit.takeError();
  size_t numResults = (*jit)->getResults().size();
  for (auto [flag, paths] : {std::pair{"--output", &options.outputs},
                             std::pair{"--compare", &options.compare}})
    if (paths->size() > numResults)
      return makeError(llvm::formatv("{0} {1} file(s) given, but the entry "
                                     "returns {2} result(s)",
                                     paths->size(), flag, numResults)
                           .str());
  return jit;
}

/// Reads or generates the arguments and binds them to a call of the entry.
llvm::Expected<std::unique_ptr<PreparedCall>>
prepareCall(const Options &options, const JitModule &jit,
            llvm::ArrayRef<Init> inits) {
  auto sources = getArgumentSources(options, jit, inits);
  if (!sources)
    return sources.takeError();
  if (llvm::Error error = checkArgumentBytes(*sources))
    return error;
  auto args = loadArguments(options, jit, *sources);
  if (!args)
    return args.takeError();
  return jit.prepare(std::move(*args));
}

/// The results of one call, where they can be read: where the JIT code left
/// them, or host copies of GPU results.
struct Results {
  std::vector<NpyArray> hostCopies;
  std::vector<NpyArrayRef> refs;
  double runSeconds = 0;
};

Results invokeOnce(PreparedCall &call, Target target) {
  Results results;
  auto start = std::chrono::steady_clock::now();
  call.invoke();
  results.runSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (target == Target::GPU) {
    results.hostCopies = call.getResults();
    results.refs.assign(results.hostCopies.begin(), results.hostCopies.end());
  } else {
    results.refs = call.getResultRefs();
  }
  return results;
}

/// --output, --print, --summary and --compare.
llvm::Error reportResults(const Options &options, const JitModule &jit,
                          const Results &results) {
  if (llvm::Error error = writeOutputs(options, results.refs))
    return error;
  if (options.print) {
    for (auto [index, result] : llvm::enumerate(results.refs)) {
      printHeading(jit, index, result);
      llvm::outs() << "\n";
      ArrayPrinter(result, llvm::outs()).print();
    }
  }
  if (options.summary) {
    printSummary(jit, results.refs);
    llvm::outs() << llvm::format("compile %.3f s, first run %.3f ms\n",
                                 jit.getCompileSeconds(),
                                 results.runSeconds * 1e3);
  }
  return printComparisons(options, results.refs);
}

llvm::Error bench(const Options &options, const JitModule &jit,
                  PreparedCall &call, int64_t flops) {
  if (options.bench == 0)
    return llvm::Error::success();
  if (options.target == Target::GPU)
    return benchOnDevice(jit, call, options.bench);
  benchOnHost(jit, call, options.bench, options.benchWarmup, flops);
  return llvm::Error::success();
}

llvm::Error runEntry(const Options &options) {
  if (llvm::Error error = checkOptions(options))
    return error;
  reuseFreedMemory();
  mlir::DialectRegistry registry;
  mlir::norm::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  auto module = parseInput(options.inputFile, sourceMgr, context);
  if (!module)
    return module.takeError();
  llvm::Expected<ModuleFacts> facts = inspectModule(options, **module);
  if (!facts)
    return facts.takeError();
  auto jit = compileEntry(options, **module);
  if (!jit)
    return jit.takeError();
  MemoryReport memory;
  if (options.reportMemory)
    memory.start();
  auto call = prepareCall(options, **jit, facts->inits);
  if (!call)
    return call.takeError();
  Results results = invokeOnce(**call, options.target);
  if (llvm::Error error = reportResults(options, **jit, results))
    return error;
  if (options.reportMemory)
    memory.print((*call)->getArgumentBytes(), (*call)->getResultBytes());
  return bench(options, **jit, **call, facts->flops);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  Options options;
  cl::HideUnrelatedOptions(options.category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "norm-runner: JIT-compile an MLIR module with norm ops and run it\n");
  int status = 0;
  llvm::handleAllErrors(
      runEntry(options), [&](const ReportedError &) { status = 1; },
      [&](const llvm::ErrorInfoBase &error) {
        status = fail(error.message());
      });
  return status;
}
