//===- NormBench.cpp - norm vs copy, oneDNN and a scalar loop -------------===//
//
// `make bench`: one table of median time, effective bandwidth (bytes read +
// written) and the ratio to a STREAM-style copy of the same bytes measured in
// the same run with the same thread count, for RMSNorm and LayerNorm with
// scale (and bias for LayerNorm) on the shapes of the issue; then the
// transformer block: tokens/s, matmul GFLOP/s against OpenBLAS sgemm, and the
// share of time spent in the norms.
//
// Every implementation writes into buffers allocated and touched once (the
// JIT's results are malloc'ed, freed and reused at the same address), all
// implementations of a case run interleaved in rounds, and the medians over
// all rounds are reported.
//
//===----------------------------------------------------------------------===//

#include "norm/ExecutionEngine/JitModule.h"
#include "norm/InitAll.h"
#include "norm/Support/Npy.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <malloc.h>
#include <omp.h>
#include <random>
#include <sstream>
#include <thread>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.hpp>

using namespace norm;

namespace {
using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

uint16_t toBF16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits += 0x7fff + ((bits >> 16) & 1); // round to nearest even
  return bits >> 16;
}

float fromBF16(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// One benchmarked implementation: a name and a call on prepared buffers.
struct Impl {
  std::string name;
  std::function<void()> run;
  std::vector<double> samples;
};

/// Runs every implementation `rounds` times, interleaved, each time for about
/// `roundSeconds`, so that drifting bandwidth hits all of them alike.
void measure(std::vector<Impl> &impls, int rounds, double roundSeconds) {
  for (Impl &impl : impls)
    for (int i = 0; i < 3; ++i)
      impl.run(); // warm-up: pages touched, caches and JIT code hot
  for (int r = 0; r < rounds; ++r)
    for (Impl &impl : impls) {
      auto roundStart = Clock::now();
      do {
        auto start = Clock::now();
        impl.run();
        impl.samples.push_back(seconds(start));
      } while (seconds(roundStart) < roundSeconds);
    }
}

/// A JIT-compiled entry with its arguments bound.
struct Compiled {
  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<JitModule> jit;
  std::unique_ptr<PreparedCall> call;
};

Compiled compile(const std::string &source, const std::string &entry,
                 const std::vector<NpyArray> &args, bool parallel) {
  Compiled c;
  mlir::DialectRegistry registry;
  mlir::norm::registerAllDialects(registry);
  c.context = std::make_unique<mlir::MLIRContext>(registry);
  auto module =
      mlir::parseSourceString<mlir::ModuleOp>(source, c.context.get());
  if (!module)
    llvm::report_fatal_error("norm-bench: cannot parse a generated module");
  JitOptions options;
  options.parallel = parallel;
  auto jit = JitModule::compile(*module, entry, options);
  if (!jit)
    llvm::report_fatal_error(llvm::Twine("norm-bench: ") +
                             llvm::toString(jit.takeError()));
  c.jit = std::move(*jit);
  auto call = c.jit->prepare(args);
  if (!call)
    llvm::report_fatal_error(llvm::Twine("norm-bench: ") +
                             llvm::toString(call.takeError()));
  c.call = std::move(*call);
  return c;
}

NpyArray randomArray(ElementType type, std::vector<int64_t> shape,
                     uint64_t seed, double mean = 0, double stddev = 1) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(mean, stddev);
  NpyArray a;
  a.type = type;
  a.shape = shape;
  a.data.resize(n * getElementSize(type));
  if (type == ElementType::F32) {
    float *p = reinterpret_cast<float *>(a.data.data());
    for (int64_t i = 0; i < n; ++i)
      p[i] = normal(rng);
  } else {
    uint16_t *p = reinterpret_cast<uint16_t *>(a.data.data());
    for (int64_t i = 0; i < n; ++i)
      p[i] = toBF16(normal(rng));
  }
  return a;
}

//===----------------------------------------------------------------------===//
// Peers
//===----------------------------------------------------------------------===//

/// STREAM-style copy of `bytes` with `threads` threads.
void copy(const uint8_t *src, uint8_t *dst, size_t bytes, int threads) {
  if (threads == 1) {
    std::memcpy(dst, src, bytes);
    return;
  }
  size_t chunk = (bytes / threads + 63) / 64 * 64;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int t = 0; t < threads; ++t) {
    size_t begin = std::min(bytes, t * chunk);
    size_t end = std::min(bytes, begin + chunk);
    std::memcpy(dst + begin, src + begin, end - begin);
  }
}

/// The straightforward loop: per row, a pass for the statistic(s) and a pass
/// that normalizes, in float.
template <typename T, typename Load, typename Store>
void scalarNorm(bool layer, const T *x, const T *gamma, const T *beta, T *y,
                int64_t rows, int64_t cols, int threads, Load load,
                Store store) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const T *xr = x + r * cols;
    T *yr = y + r * cols;
    float mean = 0;
    if (layer) {
      for (int64_t c = 0; c < cols; ++c)
        mean += load(xr[c]);
      mean /= cols;
    }
    float sq = 0;
    for (int64_t c = 0; c < cols; ++c) {
      float d = load(xr[c]) - mean;
      sq += d * d;
    }
    float inv = 1.0f / std::sqrt(std::max(sq / cols + 1e-5f, 1.17549435e-38f));
    for (int64_t c = 0; c < cols; ++c) {
      float v = (load(xr[c]) - mean) * inv * load(gamma[c]);
      if (layer)
        v += load(beta[c]);
      yr[c] = store(v);
    }
  }
}

/// oneDNN's layer normalization (scale and shift), or null where the
/// installed oneDNN has no such primitive (RMSNorm before oneDNN 3.x).
struct OneDNN {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::layer_normalization_forward primitive;
  std::unordered_map<int, dnnl::memory> args;

  OneDNN(bool bf16, int64_t rows, int64_t cols, void *x, void *y, float *scale,
         float *shift) {
    using dt = dnnl::memory::data_type;
    dnnl::memory::desc data({rows, cols}, bf16 ? dt::bf16 : dt::f32,
                            dnnl::memory::format_tag::ab);
    dnnl::memory::desc param({cols}, dt::f32, dnnl::memory::format_tag::a);
    dnnl::layer_normalization_forward::desc desc(
        dnnl::prop_kind::forward_inference, data, 1e-5f,
        dnnl::normalization_flags::use_scale |
            dnnl::normalization_flags::use_shift);
    dnnl::layer_normalization_forward::primitive_desc pd(desc, engine);
    primitive = dnnl::layer_normalization_forward(pd);
    args = {{DNNL_ARG_SRC, dnnl::memory(data, engine, x)},
            {DNNL_ARG_DST, dnnl::memory(data, engine, y)},
            {DNNL_ARG_SCALE, dnnl::memory(param, engine, scale)},
            {DNNL_ARG_SHIFT, dnnl::memory(param, engine, shift)}};
  }
  void run() {
    primitive.execute(stream, args);
    stream.wait();
  }
};

//===----------------------------------------------------------------------===//
// Norm table
//===----------------------------------------------------------------------===//

std::string normModule(bool layer, bool bf16, int64_t rows, int64_t cols) {
  std::string t =
      llvm::formatv("tensor<{0}x{1}x{2}>", rows, cols, bf16 ? "bf16" : "f32");
  std::string p = llvm::formatv("tensor<{0}x{1}>", cols, bf16 ? "bf16" : "f32");
  return llvm::formatv("func.func @main(%x: {0}, %g: {1}, %b: {1}) -> {0} {{\n"
                       "  %y = norm.{2} %x scale(%g : {1}){3} {{epsilon = "
                       "1.0e-5 : f64} : {0} -> {0}\n"
                       "  return %y : {0}\n}\n",
                       t, p, layer ? "layer_norm" : "rms_norm",
                       layer ? " bias(%b : " + p + ")" : std::string());
}

struct Row {
  std::string impl, op, dtype, shape;
  int threads;
  double medianSeconds, gbps, ratio;
};

void benchNorms(std::vector<Row> &table, std::vector<std::string> &compileLog,
                int rounds, double roundSeconds) {
  const std::pair<int64_t, int64_t> shapes[] = {
      {4096, 4096}, {16384, 1024}, {1024, 8192}, {80, 128}};
  int allThreads = std::max(1u, std::thread::hardware_concurrency());
  for (int threads : {1, allThreads}) {
    if (threads == allThreads && allThreads == 1)
      break;
    for (bool bf16 : {false, true}) {
      for (auto [rows, cols] : shapes) {
        ElementType type = bf16 ? ElementType::BF16 : ElementType::F32;
        size_t elem = bf16 ? 2 : 4;
        NpyArray x = randomArray(type, {rows, cols}, 1, 1.0, 2.0);
        NpyArray g = randomArray(type, {cols}, 2, 1.0, 0.5);
        NpyArray b = randomArray(type, {cols}, 3);
        size_t bytes = x.data.size();
        std::vector<uint8_t> y(bytes), copyDst(bytes);
        std::vector<float> gf(cols), bf(cols);
        for (int64_t c = 0; c < cols; ++c) {
          gf[c] = bf16
                      ? fromBF16(reinterpret_cast<uint16_t *>(g.data.data())[c])
                      : reinterpret_cast<float *>(g.data.data())[c];
          bf[c] = bf16
                      ? fromBF16(reinterpret_cast<uint16_t *>(b.data.data())[c])
                      : reinterpret_cast<float *>(b.data.data())[c];
        }
        std::string shape = llvm::formatv("{0}x{1}", rows, cols);
        std::string dtype = bf16 ? "bf16" : "f32";
        omp_set_num_threads(threads);

        for (bool layer : {false, true}) {
          Compiled compiled = compile(normModule(layer, bf16, rows, cols),
                                      "main", {x, g, b}, threads > 1);
          compileLog.push_back(
              llvm::formatv("{0,-10} {1,-5} {2,-10} {3} thread(s): {4:f3} s",
                            layer ? "layer_norm" : "rms_norm", dtype, shape,
                            threads, compiled.jit->getCompileSeconds()));
          std::unique_ptr<OneDNN> onednn;
          if (layer)
            onednn = std::make_unique<OneDNN>(bf16, rows, cols, x.data.data(),
                                              y.data(), gf.data(), bf.data());
          std::vector<Impl> impls;
          impls.push_back(
              {"copy",
               [&] { copy(x.data.data(), copyDst.data(), bytes, threads); }});
          impls.push_back({"norm", [&] { compiled.call->invoke(); }});
          if (onednn)
            impls.push_back({"oneDNN", [&] { onednn->run(); }});
          // Structured bindings are captured by copy (C++17 lambdas cannot
          // capture them by reference).
          impls.push_back(
              {"scalar", [&, rows = rows, cols = cols] {
                 if (bf16)
                   scalarNorm(
                       layer, reinterpret_cast<uint16_t *>(x.data.data()),
                       reinterpret_cast<uint16_t *>(g.data.data()),
                       reinterpret_cast<uint16_t *>(b.data.data()),
                       reinterpret_cast<uint16_t *>(y.data()), rows, cols,
                       threads, [](uint16_t v) { return fromBF16(v); },
                       [](float v) { return toBF16(v); });
                 else
                   scalarNorm(
                       layer, reinterpret_cast<float *>(x.data.data()),
                       reinterpret_cast<float *>(g.data.data()),
                       reinterpret_cast<float *>(b.data.data()),
                       reinterpret_cast<float *>(y.data()), rows, cols, threads,
                       [](float v) { return v; }, [](float v) { return v; });
               }});
          measure(impls, rounds, roundSeconds);
          // Bytes each implementation must move: x, y and the parameters.
          double moved = 2.0 * bytes + (layer ? 2 : 1) * cols * elem;
          double copyGBps = 2.0 * bytes / median(impls[0].samples) * 1e-9;
          for (Impl &impl : impls) {
            double t = median(impl.samples);
            double gbps =
                (impl.name == "copy" ? 2.0 * bytes : moved) / t * 1e-9;
            table.push_back({impl.name,
                             impl.name == "copy" ? "-"
                             : layer             ? "layer"
                                                 : "rms",
                             dtype, shape, threads, t, gbps, gbps / copyGBps});
          }
          if (!layer) // oneDNN 2.6 has no RMSNorm
            table.push_back(
                {"oneDNN", "rms", dtype, shape, threads, NAN, NAN, NAN});
        }
      }
    }
  }
}

void printNormTable(const std::vector<Row> &table) {
  llvm::outs() << llvm::formatv(
      "{0,-7} {1,-6} {2,-5} {3,-11} {4,7} {5,12} {6,9} {7,8}\n", "impl", "op",
      "dtype", "shape", "threads", "median ms", "GB/s", "vs copy");
  for (const Row &r : table) {
    if (std::isnan(r.medianSeconds)) {
      llvm::outs() << llvm::formatv(
          "{0,-7} {1,-6} {2,-5} {3,-11} {4,7} {5,12}\n", r.impl, r.op, r.dtype,
          r.shape, r.threads, "n/a (no RMSNorm in oneDNN 2.6)");
      continue;
    }
    llvm::outs() << llvm::formatv(
        "{0,-7} {1,-6} {2,-5} {3,-11} {4,7} {5,12:f4} {6,9:f2} {7,8:f3}\n",
        r.impl, r.op, r.dtype, r.shape, r.threads, r.medianSeconds * 1e3,
        r.gbps, r.ratio);
  }
}

//===----------------------------------------------------------------------===//
// Transformer block
//===----------------------------------------------------------------------===//

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    llvm::report_fatal_error(llvm::Twine("norm-bench: cannot read ") + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void benchBlock(const std::string &exampleDir, const std::string &config,
                int64_t seq, int64_t dim, int64_t hidden, int64_t heads,
                int repeats) {
  // Weights scaled by 1/sqrt(fan-in), as initialized for training.
  std::vector<std::vector<int64_t>> shapes = {
      {seq, dim}, {dim}, {dim}, {dim, dim},    {dim, dim},    {dim, dim},
      {dim, dim}, {dim}, {dim}, {dim, hidden}, {dim, hidden}, {hidden, dim}};
  std::vector<NpyArray> args;
  for (auto [i, shape] : llvm::enumerate(shapes)) {
    double stddev =
        shape.size() == 2 && i > 0 ? 1.0 / std::sqrt(shape[0]) : 1.0;
    double mean = shape.size() == 1 && (i == 1 || i == 7) ? 1.0 : 0.0;
    args.push_back(randomArray(ElementType::F32, shape, 10 + i, mean,
                               shape.size() == 1 ? 0.1 : stddev));
  }
  std::string source = readFile(exampleDir + "/" + config + ".mlir");
  double flops = 2.0 * seq * (4.0 * dim * dim + 3.0 * dim * hidden) +
                 2.0 * 2.0 * seq * seq * dim;
  for (const char *kind : {"layer", "rms"}) {
    // The block with the norms switched, and the norms alone on [seq, dim].
    std::string switched = source;
    if (std::string(kind) == "rms") {
      size_t at;
      while ((at = switched.find("norm.layer_norm")) != std::string::npos) {
        size_t bias = switched.find(" bias(", at);
        size_t close = switched.find(")", bias);
        switched.erase(bias, close + 1 - bias);
        switched.replace(at, 15, "norm.rms_norm");
      }
    }
    Compiled block = compile(switched, "block", args, /*parallel=*/true);
    std::vector<Impl> impls = {{"block", [&] { block.call->invoke(); }}};
    measure(impls, 1, 0.0);
    for (int i = 1; i < repeats; ++i)
      measure(impls, 1, 0.0);
    double t = median(impls[0].samples);

    std::string t2 = llvm::formatv("tensor<{0}x{1}xf32>", seq, dim);
    std::string t1 = llvm::formatv("tensor<{0}xf32>", dim);
    std::string norms = llvm::formatv(
        "func.func @main(%x: {0}, %g: {1}, %b: {1}) -> ({0}, {0}) {{\n"
        "  %a = norm.{2} %x scale(%g : {1}){3} : {0} -> {0}\n"
        "  %c = norm.{2} %a scale(%g : {1}){3} : {0} -> {0}\n"
        "  return %a, %c : {0}, {0}\n}\n",
        t2, t1, std::string(kind) == "rms" ? "rms_norm" : "layer_norm",
        std::string(kind) == "rms" ? "" : " bias(%b : " + t1 + ")");
    Compiled normsOnly =
        compile(norms, "main", {args[0], args[1], args[2]}, true);
    std::vector<Impl> normImpls = {
        {"norms", [&] { normsOnly.call->invoke(); }}};
    measure(normImpls, 3, 0.05);
    double tn = median(normImpls[0].samples);
    llvm::outs() << llvm::formatv(
        "{0,-5} {1,-6} {2,8:f3} s {3,10:f2} ms {4,12:f1} {5,10:f2} {6,9:f2}%\n",
        config, kind, block.jit->getCompileSeconds(), t * 1e3, seq / t,
        flops / t * 1e-9, 100.0 * tn / t);
  }
}

/// Our matmul against OpenBLAS sgemm on one projection of the block.
void benchMatmul(int64_t m, int64_t k, int64_t n, int allThreads) {
  NpyArray a = randomArray(ElementType::F32, {m, k}, 1);
  NpyArray b = randomArray(ElementType::F32, {k, n}, 2);
  std::vector<float> c(m * n);
  std::string source =
      llvm::formatv("func.func @main(%a: tensor<{0}x{1}xf32>, %b: "
                    "tensor<{1}x{2}xf32>) -> tensor<{0}x{2}xf32> {{\n"
                    "  %z = arith.constant 0.0 : f32\n"
                    "  %e = tensor.empty() : tensor<{0}x{2}xf32>\n"
                    "  %f = linalg.fill ins(%z : f32) outs(%e : "
                    "tensor<{0}x{2}xf32>) -> tensor<{0}x{2}xf32>\n"
                    "  %r = linalg.matmul ins(%a, %b : tensor<{0}x{1}xf32>, "
                    "tensor<{1}x{2}xf32>) outs(%f : tensor<{0}x{2}xf32>) -> "
                    "tensor<{0}x{2}xf32>\n"
                    "  return %r : tensor<{0}x{2}xf32>\n}\n",
                    m, k, n);
  Compiled compiled = compile(source, "main", {a, b}, false);
  const float *pa = reinterpret_cast<const float *>(a.data.data());
  const float *pb = reinterpret_cast<const float *>(b.data.data());
  std::vector<Impl> impls = {
      {"norm (1 thread)", [&] { compiled.call->invoke(); }}};
  for (int threads : {1, allThreads}) {
    impls.push_back({llvm::formatv("OpenBLAS ({0} thread(s))", threads).str(),
                     [&, threads] {
                       openblas_set_num_threads(threads);
                       cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m,
                                   n, k, 1.0f, pa, k, pb, n, 0.0f, c.data(), n);
                     }});
    if (allThreads == 1)
      break;
  }
  measure(impls, 3, 0.3);
  double flops = 2.0 * m * n * k;
  for (Impl &impl : impls)
    llvm::outs() << llvm::formatv(
        "  {0,-24} [{1}x{2}] x [{2}x{3}]: {4,8:f2} ms {5,8:f1} GFLOP/s\n",
        impl.name, m, k, n, median(impl.samples) * 1e3,
        flops / median(impl.samples) * 1e-9);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // Freed JIT results are reused instead of returned to the OS: fresh pages
  // would be timed, not the kernels.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  std::string exampleDir = NORM_EXAMPLES_DIR;
  int rounds = quick ? 2 : 5;
  double roundSeconds = quick ? 0.02 : 0.1;
  int allThreads = std::max(1u, std::thread::hardware_concurrency());

  std::vector<Row> table;
  std::vector<std::string> compileLog;
  benchNorms(table, compileLog, rounds, roundSeconds);
  llvm::outs() << "== Normalization: median of " << rounds
               << " interleaved rounds; GB/s = (x + y + parameters) bytes / "
                  "time; 'vs copy' = GB/s over the same-run copy with the same "
                  "threads ==\n";
  printNormTable(table);
  llvm::outs() << "\n== norm compile time (lower + JIT, excluded above) ==\n";
  for (const std::string &line : compileLog)
    llvm::outs() << line << "\n";

  llvm::outs() << "\n== Transformer block (pre-norm, f32, norms on "
               << allThreads << " threads, matmuls on 1) ==\n";
  llvm::outs() << llvm::formatv(
      "{0,-5} {1,-6} {2,10} {3,13} {4,12} {5,10} {6,10}\n", "block", "norm",
      "compile", "run", "tokens/s", "GFLOP/s", "in norms");
  benchBlock(exampleDir, "tiny", 80, 128, 256, 8, quick ? 5 : 50);
  if (!quick)
    benchBlock(exampleDir, "7b", 128, 4096, 11008, 32, 3);
  llvm::outs() << "\n== Matmul against OpenBLAS sgemm (same run) ==\n";
  benchMatmul(80, 128, 256, allThreads);
  if (!quick)
    benchMatmul(128, 4096, 4096, allThreads);
  llvm::outs().flush();
  return 0;
}
