//===- norm-runner.cpp - JIT-compile and run a norm module ----------------===//
//
// Parses a module, lowers it with norm-lower-to-cpu, JIT-compiles it with
// MLIR's ExecutionEngine and calls one entry function on tensors read from
// .npy files or generated from a seed; prints, saves and times the results.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/Passes.h"
#include "norm/ExecutionEngine/JitModule.h"
#ifdef NORM_HAS_CUDA_RUNTIME
#include "norm/Runtime/CudaRuntime.h"
#endif
#include "norm/InitAll.h"
#include "norm/Support/HalfFloat.h"
#include "norm/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <malloc.h>
#include <random>

using namespace norm;
namespace cl = llvm::cl;

namespace {
/// Command-line options, local to main so they cannot clash with LLVM's.
struct Options {
  cl::OptionCategory category{"norm-runner options"};
  cl::opt<std::string> inputFile{cl::Positional, cl::desc("<input .mlir>"),
                                 cl::Required, cl::cat(category)};
  cl::opt<std::string> entry{"e", cl::desc("Entry function to run"),
                             cl::value_desc("name"), cl::init("main"),
                             cl::cat(category)};
  cl::opt<std::string> target{
      "target",
      cl::desc("Where to run: cpu, or gpu (an NVIDIA GPU through "
               "norm-lower-to-nvvm and norm's CUDA runtime)"),
      cl::init("cpu"), cl::cat(category)};
  cl::opt<std::string> gpuChip{"gpu-chip", cl::desc("GPU target: architecture"),
                               cl::init("sm_90"), cl::cat(category)};
  cl::opt<std::string> gpuFeatures{"gpu-features",
                                   cl::desc("GPU target: PTX features"),
                                   cl::init("+ptx80"), cl::cat(category)};
  cl::opt<std::string> gpuFormat{
      "gpu-format",
      cl::desc("GPU target: binary format isa (PTX, JIT-compiled by the "
               "driver), bin or fatbin (need ptxas)"),
      cl::init("isa"), cl::cat(category)};
  cl::opt<int64_t> threadsPerBlock{"threads-per-block",
                                   cl::desc("GPU target: threads per block"),
                                   cl::init(256), cl::cat(category)};
  cl::opt<std::string> cudaPath{
      "cuda-path",
      cl::desc("GPU target: CUDA toolkit root for libdevice (default "
               "$CUDA_HOME, $CUDA_PATH, else /usr/local/cuda)"),
      cl::init(""), cl::cat(category)};
  cl::list<std::string> inputs{
      "input",
      cl::desc("Argument from a .npy file: PATH (in argument order) or "
               "INDEX=PATH"),
      cl::value_desc("[INDEX=]PATH"), cl::cat(category)};
  cl::opt<bool> randomInputs{
      "random-inputs",
      cl::desc("Generate arguments not given by --input: values drawn from "
               "N(0, 1) (mt19937_64 seeded with --seed + argument index), "
               "rounded to the argument's element type"),
      cl::cat(category)};
  cl::opt<uint64_t> seed{"seed", cl::desc("Seed of --random-inputs"),
                         cl::init(0), cl::cat(category)};
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
  cl::opt<int64_t> vectorSize{
      "vector-size",
      cl::desc("Elements per vector tile (0: from the host's vector width)"),
      cl::init(0), cl::cat(category)};
  cl::opt<bool> parallel{
      "parallel",
      cl::desc("Run rows on all cores (MLIR's async runtime); "
               "--parallel=false for one thread"),
      cl::init(true), cl::cat(category)};
  cl::opt<unsigned> optLevel{"O", cl::desc("LLVM optimization level"),
                             cl::init(3), cl::Prefix, cl::cat(category)};
  cl::opt<bool> dumpLowered{"dump-lowered",
                            cl::desc("Print the lowered LLVM-dialect module"),
                            cl::cat(category)};
  cl::opt<std::string> normKind{
      "norm",
      cl::desc("Switch every norm op to rms or layer before compiling "
               "(the norm-set-kind pass); default: as written"),
      cl::init(""), cl::cat(category)};
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

int fail(llvm::Error error) {
  std::string message = llvm::toString(std::move(error));
  return fail(message);
}

/// Splits "INDEX=VALUE"; a VALUE without an index gets `nextIndex`.
std::pair<int64_t, std::string> splitIndexed(llvm::StringRef text,
                                             int64_t nextIndex) {
  auto [head, tail] = text.split('=');
  int64_t index;
  if (!tail.empty() && !head.getAsInteger(10, index))
    return {index, tail.str()};
  return {nextIndex, text.str()};
}

llvm::Expected<llvm::SmallVector<int64_t>> parseShape(llvm::StringRef text) {
  llvm::SmallVector<int64_t> shape;
  if (text.empty())
    return shape;
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, 'x');
  for (llvm::StringRef part : parts) {
    int64_t dim;
    if (part.getAsInteger(10, dim) || dim < 0)
      return llvm::createStringError("malformed shape '" + text +
                                     "': expected dims like 4096x4096");
    shape.push_back(dim);
  }
  return shape;
}

/// Prints `array` like numpy, eliding the middle of long dims.
class ArrayPrinter {
public:
  ArrayPrinter(const NpyArray &array, llvm::raw_ostream &os)
      : array(array), values(toDoubles(array)), os(os),
        summarize(array.numElements() > 1000) {}

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
    double v = values[index];
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

  const NpyArray &array;
  std::vector<double> values;
  llvm::raw_ostream &os;
  bool summarize;
};
/// GPU --bench: device time from CUDA events around each call, inputs
/// rotated over enough copies that L2 cannot hold them, next to a
/// device-to-device copy of the same bytes timed the same way.
int benchOnDevice(const JitModule &jit, llvm::ArrayRef<NpyArray> args,
                  PreparedCall &first, unsigned runs) {
#ifdef NORM_HAS_CUDA_RUNTIME
  constexpr size_t kRotationBytes = size_t(256) << 20; // > 5x an H100's L2
  size_t bytes = first.getBytesMoved();
  size_t copies =
      std::clamp<size_t>(kRotationBytes / std::max<size_t>(bytes, 1), 1, 16);
  std::vector<std::unique_ptr<PreparedCall>> calls;
  for (size_t i = 1; i < copies; ++i) {
    auto call = jit.prepare(args);
    if (!call)
      return fail(call.takeError());
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

  // Copy: read bytes/2, write bytes/2, buffers rotated the same way.
  size_t half = std::max<size_t>(bytes / 2, 1);
  std::vector<std::pair<void *, void *>> buffers;
  for (size_t i = 0; i < copies; ++i)
    buffers.push_back({normCudaMalloc(half), normCudaMalloc(half)});
  std::vector<double> copyMs;
  void *start = normCudaEventCreate(), *end = normCudaEventCreate();
  for (unsigned i = 0; i < runs + 3 * copies; ++i) {
    auto [src, dst] = buffers[i % copies];
    normCudaEventRecord(start, nullptr);
    normCudaMemcpyDtoD(dst, src, half);
    normCudaEventRecord(end, nullptr);
    float elapsed = normCudaEventElapsedMs(start, end);
    if (i >= 3 * copies)
      copyMs.push_back(elapsed);
  }
  normCudaEventDestroy(start);
  normCudaEventDestroy(end);
  for (auto [src, dst] : buffers) {
    normCudaFree(src);
    normCudaFree(dst);
  }
  std::sort(ms.begin(), ms.end());
  std::sort(copyMs.begin(), copyMs.end());
  double median = ms[ms.size() / 2], copyMedian = copyMs[copyMs.size() / 2];
  double gbps = bytes / (median * 1e-3) * 1e-9;
  double copyGbps = 2.0 * half / (copyMedian * 1e-3) * 1e-9;
  llvm::outs() << llvm::formatv(
      "bench: {0} runs on {1}, median {2:f4} ms, min {3:f4} ms, {4:f1} GB/s "
      "({5} bytes read + written per run, {6} input copies rotated); device "
      "copy of the same bytes {7:f1} GB/s; ratio {8:f3}; compile {9:f3} s\n",
      ms.size(), normCudaDeviceName(), median, ms.front(), gbps, bytes, copies,
      copyGbps, gbps / copyGbps, jit.getCompileSeconds());
  return 0;
#else
  return fail("--bench on the GPU needs norm's CUDA runtime");
#endif
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  Options options;
  cl::HideUnrelatedOptions(options.category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "norm-runner: JIT-compile an MLIR module with norm ops and run it\n");

  // Freed results are reused by the next call instead of being returned to
  // the OS: fresh pages cost more than the kernels being timed.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);

  if (options.target != "cpu" && options.target != "gpu")
    return fail("unknown --target '" + options.target +
                "' (expected cpu or gpu)");
  bool gpu = options.target == "gpu";

  mlir::DialectRegistry registry;
  mlir::norm::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string errorMessage;
  auto file = mlir::openInputFile(options.inputFile, &errorMessage);
  if (!file)
    return fail(errorMessage);
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1; // The parser or verifier printed the diagnostic.

  // Only what the entry reaches is switched, counted and compiled.
  if (auto entry = module->lookupSymbol<mlir::func::FuncOp>(options.entry))
    pruneUnreachableFunctions(*module, entry);
  if (!options.normKind.empty() &&
      mlir::failed(mlir::norm::setNormKind(*module, options.normKind)))
    return 1; // The diagnostic names the op or the kind.
  if (options.paramStats) {
    mlir::norm::NormParameterCount count =
        mlir::norm::countNormParameters(*module);
    for (const auto &op : count.ops)
      llvm::outs() << llvm::formatv(
          "{0}: {1} parameters (scale {2}, bias {3}, feature_epsilon {4}){5}\n",
          op.op->getName(), op.total(), op.scale, op.bias, op.featureEpsilon,
          op.dynamic ? " + dynamic" : "");
    llvm::outs() << "normalization parameters: " << count.total << " in "
                 << count.ops.size() << " norm ops\n";
  }

  JitOptions jitOptions;
  jitOptions.vectorSize = options.vectorSize;
  jitOptions.optLevel = options.optLevel;
  jitOptions.parallel = options.parallel;
  jitOptions.dumpLoweredModule = options.dumpLowered;
  if (gpu) {
    jitOptions.target = Target::GPU;
    jitOptions.gpuChip = options.gpuChip;
    jitOptions.gpuFeatures = options.gpuFeatures;
    jitOptions.gpuFormat = options.gpuFormat;
    jitOptions.gpuThreadsPerBlock = options.threadsPerBlock;
    jitOptions.cudaPath = options.cudaPath;
  }
  auto jit = JitModule::compile(*module, options.entry, jitOptions);
  if (!jit)
    return fail(jit.takeError());
  const std::vector<TensorSpec> &specs = (*jit)->getArguments();

  // Arguments: .npy files first, then generated ones.
  std::vector<std::optional<NpyArray>> args(specs.size());
  int64_t nextIndex = 0;
  for (const std::string &input : options.inputs) {
    auto [index, path] = splitIndexed(input, nextIndex);
    nextIndex = index + 1;
    if (index < 0 || index >= static_cast<int64_t>(specs.size()))
      return fail(llvm::formatv("--input {0}: the entry has {1} argument(s)",
                                input, specs.size())
                      .str());
    auto array = readNpy(path);
    if (!array)
      return fail(array.takeError());
    // numpy has no bf16: f32 files feed bf16 arguments (rounded).
    if (specs[index].type == ElementType::BF16 &&
        array->type == ElementType::F32)
      *array = convertArray(*array, ElementType::BF16);
    args[index] = std::move(*array);
  }
  std::vector<std::optional<llvm::SmallVector<int64_t>>> givenShapes(
      specs.size());
  for (const std::string &text : options.shapes) {
    auto [index, dims] = splitIndexed(text, -1);
    if (index < 0 || index >= static_cast<int64_t>(specs.size()))
      return fail("--shape " + text +
                  ": expected INDEX=DIMS with an argument index");
    auto shape = parseShape(dims);
    if (!shape)
      return fail(shape.takeError());
    givenShapes[index] = *shape;
  }
  for (auto [index, spec] : llvm::enumerate(specs)) {
    if (args[index])
      continue;
    if (!options.randomInputs)
      return fail(llvm::formatv("argument #{0} ({1}) has no --input; pass "
                                "one or use --random-inputs",
                                index, spec.text)
                      .str());
    llvm::SmallVector<int64_t> shape(spec.shape);
    if (givenShapes[index])
      shape = *givenShapes[index];
    else if (llvm::any_of(shape, mlir::ShapedType::isDynamic))
      return fail(llvm::formatv("argument #{0} ({1}) has dynamic dims: give "
                                "its shape with --shape {0}=DxD...",
                                index, spec.text)
                      .str());
    std::mt19937_64 engine(options.seed + index);
    std::normal_distribution<double> normal(0.0, 1.0);
    int64_t count = 1;
    for (int64_t dim : shape)
      count *= dim;
    std::vector<double> values(count);
    for (double &v : values)
      v = normal(engine);
    args[index] = fromDoubles(
        spec.type, std::vector<int64_t>(shape.begin(), shape.end()), values);
  }
  std::vector<NpyArray> argArrays;
  for (auto &arg : args)
    argArrays.push_back(std::move(*arg));

  auto call = (*jit)->prepare(argArrays);
  if (!call)
    return fail(call.takeError());
  auto runStart = std::chrono::steady_clock::now();
  (*call)->invoke();
  double runSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - runStart)
          .count();
  std::vector<NpyArray> results = (*call)->getResults();

  for (auto [index, path] : llvm::enumerate(options.outputs)) {
    if (index >= results.size())
      return fail(llvm::formatv("--output {0}: the entry returns only {1} "
                                "result(s)",
                                path, results.size())
                      .str());
    if (llvm::Error error = writeNpy(path, results[index]))
      return fail(std::move(error));
  }
  if (options.print) {
    for (auto [index, result] : llvm::enumerate(results)) {
      llvm::outs() << "result #" << index << ": "
                   << (*jit)->getResults()[index].text << " shape [";
      llvm::interleaveComma(result.shape, llvm::outs());
      llvm::outs() << "]\n";
      ArrayPrinter(result, llvm::outs()).print();
    }
  }
  if (options.summary) {
    for (auto [index, result] : llvm::enumerate(results)) {
      std::vector<double> values = toDoubles(result);
      double sum = 0, absSum = 0;
      for (double v : values) {
        sum += v;
        absSum += std::fabs(v);
      }
      llvm::outs() << "result #" << index << ": "
                   << (*jit)->getResults()[index].text << " shape [";
      llvm::interleaveComma(result.shape, llvm::outs());
      llvm::outs() << "] first [";
      for (size_t i = 0; i < std::min<size_t>(4, values.size()); ++i)
        llvm::outs() << (i ? ", " : "") << llvm::format("%.6g", values[i]);
      llvm::outs() << llvm::format("] sum %.6g mean|x| %.6g\n", sum,
                                   values.empty() ? 0.0
                                                  : absSum / values.size());
    }
    llvm::outs() << llvm::format("compile %.3f s, first run %.3f ms\n",
                                 (*jit)->getCompileSeconds(), runSeconds * 1e3);
  }
  if (options.bench > 0 && gpu)
    return benchOnDevice(**jit, argArrays, **call, options.bench);
  if (options.bench > 0) {
    for (int warmup = 0; warmup < 3; ++warmup)
      (*call)->invoke();
    std::vector<double> seconds;
    for (unsigned i = 0; i < options.bench; ++i) {
      auto start = std::chrono::steady_clock::now();
      (*call)->invoke();
      seconds.push_back(std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start)
                            .count());
    }
    std::sort(seconds.begin(), seconds.end());
    double median = seconds[seconds.size() / 2];
    double bytes = static_cast<double>((*call)->getBytesMoved());
    llvm::outs() << llvm::formatv(
        "bench: {0} runs, median {1:f3} ms, min {2:f3} ms, {3:f2} GB/s "
        "({4} bytes read + written per run), compile {5:f3} s\n",
        seconds.size(), median * 1e3, seconds.front() * 1e3,
        bytes / median * 1e-9, static_cast<uint64_t>(bytes),
        (*jit)->getCompileSeconds());
  }
  return 0;
}
