//===- NormBench.cpp - norm vs copy, oneDNN and a scalar loop -------------===//
//
// `make bench`: one table of median time, effective bandwidth (bytes read +
// written) and the ratio to a STREAM-style copy of the same bytes measured in
// the same run with the same thread count, for RMSNorm and LayerNorm with
// scale (and bias for LayerNorm) on the shapes of the issue; then the
// transformer block: tokens/s on one thread and on all cores, the shares of
// its time in the norms and in the matmuls, and matmul GFLOP/s against
// OpenBLAS sgemm. `norm-bench --help` lists the options that select cases,
// rounds and thread counts.
//
// Every implementation writes into buffers allocated and touched once (the
// JIT's results are malloc'ed, freed and reused at the same address), all
// implementations of a case run interleaved in rounds, and the medians over
// all rounds are reported. RMSNorm variants are the LayerNorm modules
// switched by norm-set-kind, as a user switches a model.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/Passes.h"
#include "norm/ExecutionEngine/JitModule.h"
#include "norm/InitAll.h"
#include "norm/Support/HalfFloat.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <omp.h>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <unistd.h>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.hpp>

using namespace norm;
namespace cl = llvm::cl;

namespace {
using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// One benchmarked implementation: a name and a call on prepared buffers.
struct Impl {
  std::string name;
  std::function<void()> run;
  std::vector<double> samples;
};

/// Runs every implementation `rounds` times, interleaved, each time for about
/// `roundSeconds`, so that drifting bandwidth hits all of them alike.
void measure(std::vector<Impl> &impls, int rounds, double roundSeconds,
             int warmups = 3) {
  for (Impl &impl : impls)
    for (int i = 0; i < warmups; ++i)
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

/// Compiles `entry` of `source` with every norm op switched to `normKind`
/// ("rms" or "layer", as norm-set-kind does; empty: as written).
Compiled compile(llvm::StringRef source, llvm::StringRef normKind,
                 llvm::StringRef entry, llvm::ArrayRef<NpyArray> args,
                 bool parallel, bool fuseResidual = true) {
  Compiled c;
  mlir::DialectRegistry registry;
  mlir::norm::registerAllDialects(registry);
  c.context = std::make_unique<mlir::MLIRContext>(registry);
  auto module =
      mlir::parseSourceString<mlir::ModuleOp>(source, c.context.get());
  if (!module)
    llvm::report_fatal_error("norm-bench: cannot parse a generated module");
  if (!normKind.empty() &&
      mlir::failed(mlir::norm::setNormKind(*module, normKind)))
    llvm::report_fatal_error("norm-bench: norm-set-kind failed");
  JitOptions options;
  options.parallel = parallel;
  options.fuseResidual = fuseResidual;
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
      p[i] = type == ElementType::F16 ? floatToHalfBits(normal(rng))
                                      : floatToBF16Bits(normal(rng));
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

  OneDNN(ElementType dtype, int64_t rows, int64_t cols, void *x, void *y,
         float *scale, float *shift) {
    using dt = dnnl::memory::data_type;
    dt type = dtype == ElementType::F32    ? dt::f32
              : dtype == ElementType::BF16 ? dt::bf16
                                           : dt::f16;
    dnnl::memory::desc data({rows, cols}, type, dnnl::memory::format_tag::ab);
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

/// oneDNN's layer normalization backward (diff_src, diff_scale, diff_shift
/// from src, diff_dst and the forward's mean and variance).
struct OneDNNBackward {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::layer_normalization_backward primitive;
  std::unordered_map<int, dnnl::memory> args;
  std::vector<float> mean, variance, diffScale, diffShift;

  OneDNNBackward(bool bf16, int64_t rows, int64_t cols, void *x, void *dy,
                 void *dx, float *scale, float *shift) {
    using dt = dnnl::memory::data_type;
    auto flags = dnnl::normalization_flags::use_scale |
                 dnnl::normalization_flags::use_shift;
    dnnl::memory::desc data({rows, cols}, bf16 ? dt::bf16 : dt::f32,
                            dnnl::memory::format_tag::ab);
    dnnl::memory::desc stat({rows}, dt::f32, dnnl::memory::format_tag::a);
    dnnl::memory::desc param({cols}, dt::f32, dnnl::memory::format_tag::a);
    dnnl::layer_normalization_forward::desc fwdDesc(
        dnnl::prop_kind::forward_training, data, stat, 1e-5f, flags);
    dnnl::layer_normalization_forward::primitive_desc fwd(fwdDesc, engine);
    dnnl::layer_normalization_backward::desc desc(
        dnnl::prop_kind::backward, data, data, stat, 1e-5f, flags);
    dnnl::layer_normalization_backward::primitive_desc pd(desc, engine, fwd);
    primitive = dnnl::layer_normalization_backward(pd);
    mean.assign(rows, 0.0f);
    variance.assign(rows, 1.0f);
    diffScale.resize(cols);
    diffShift.resize(cols);
    args = {
        {DNNL_ARG_SRC, dnnl::memory(data, engine, x)},
        {DNNL_ARG_DIFF_DST, dnnl::memory(data, engine, dy)},
        {DNNL_ARG_MEAN, dnnl::memory(stat, engine, mean.data())},
        {DNNL_ARG_VARIANCE, dnnl::memory(stat, engine, variance.data())},
        {DNNL_ARG_SCALE, dnnl::memory(param, engine, scale)},
        {DNNL_ARG_SHIFT, dnnl::memory(param, engine, shift)},
        {DNNL_ARG_DIFF_SRC, dnnl::memory(data, engine, dx)},
        {DNNL_ARG_DIFF_SCALE, dnnl::memory(param, engine, diffScale.data())},
        {DNNL_ARG_DIFF_SHIFT, dnnl::memory(param, engine, diffShift.data())}};
  }

  void run() {
    primitive.execute(stream, args);
    stream.wait();
  }
};

/// The straightforward backward loop: per row, the statistics, the two row
/// sums and dx, in float; parameter gradients summed per thread, then added.
template <typename T, typename Load, typename Store>
void scalarNormGrad(bool layer, const T *x, const T *dy, const T *gamma, T *dx,
                    float *dgamma, float *dbeta, int64_t rows, int64_t cols,
                    int threads, Load load, Store store) {
  std::vector<float> partial(size_t(threads) * 2 * cols, 0.0f);
#pragma omp parallel num_threads(threads)
  {
    float *pg = partial.data() + size_t(omp_get_thread_num()) * 2 * cols;
    float *pb = pg + cols;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const T *xr = x + r * cols, *dyr = dy + r * cols;
      T *dxr = dx + r * cols;
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
      float inv =
          1.0f / std::sqrt(std::max(sq / cols + 1e-5f, 1.17549435e-38f));
      float sumG = 0, sumGX = 0;
      for (int64_t c = 0; c < cols; ++c) {
        float g = load(dyr[c]) * load(gamma[c]);
        float xhat = (load(xr[c]) - mean) * inv;
        sumG += g;
        sumGX += g * xhat;
      }
      sumG /= cols;
      sumGX /= cols;
      for (int64_t c = 0; c < cols; ++c) {
        float d = load(dyr[c]);
        float xhat = (load(xr[c]) - mean) * inv;
        float g = d * load(gamma[c]);
        dxr[c] = store(inv * (g - (layer ? sumG : 0.0f) - xhat * sumGX));
        pg[c] += d * xhat;
        pb[c] += d;
      }
    }
  }
  for (int64_t c = 0; c < cols; ++c) {
    dgamma[c] = 0;
    dbeta[c] = 0;
    for (int t = 0; t < threads; ++t) {
      dgamma[c] += partial[size_t(t) * 2 * cols + c];
      dbeta[c] += partial[size_t(t) * 2 * cols + cols + c];
    }
  }
}

//===----------------------------------------------------------------------===//
// Cases
//===----------------------------------------------------------------------===//

/// One row group of the normalization table: an op on one input.
struct NormCase {
  int threads;
  ElementType dtype; // F32, BF16 or F16
  int64_t rows, cols;
  llvm::StringRef kind; // "rms" or "layer"

  std::string getName() const {
    return llvm::formatv("{0}/{1}/{2}x{3}/{4}", kind, getElementTypeName(dtype),
                         rows, cols, threads);
  }
};

using Shape = std::pair<int64_t, int64_t>;

/// The cases of a table in its order: per thread count, dtype and shape,
/// RMSNorm then LayerNorm; `dramBytes` adds a shape of 4096 columns whose
/// input is that large.
template <typename Case>
std::vector<Case> getCases(llvm::ArrayRef<int> threadCounts,
                           llvm::ArrayRef<Shape> shapes, int64_t dramBytes = 0,
                           llvm::ArrayRef<ElementType> dtypes = {
                               ElementType::F32, ElementType::BF16}) {
  std::vector<Case> cases;
  for (int threads : threadCounts)
    for (ElementType dtype : dtypes) {
      std::vector<Shape> dtypeShapes(shapes);
      if (dramBytes)
        dtypeShapes.push_back(
            {dramBytes / (4096 * int64_t(getElementSize(dtype))), 4096});
      for (auto [rows, cols] : dtypeShapes)
        for (llvm::StringRef kind : {"rms", "layer"}) {
          Case c;
          static_cast<NormCase &>(c) = {threads, dtype, rows, cols, kind};
          cases.push_back(c);
        }
    }
  return cases;
}

/// The input of the DRAM-bound normalization cases: x and y together are
/// 2 GiB, over four times the 480 MiB last-level cache this VM reports, so
/// that neither the copy nor the norm runs from cache.
constexpr int64_t kDramInputBytes = int64_t(1) << 30;

std::vector<NormCase> getNormCases(llvm::ArrayRef<int> threadCounts,
                                   bool quick) {
  return getCases<NormCase>(
      threadCounts, {{4096, 4096}, {16384, 1024}, {1024, 8192}, {80, 128}},
      quick ? 0 : kDramInputBytes,
      {ElementType::F32, ElementType::BF16, ElementType::F16});
}

/// The last-level cache as the OS reports it, for the table's header (the
/// DRAM-bound shapes must be several times larger).
std::string getLastLevelCacheDescription() {
  long bytes = sysconf(_SC_LEVEL3_CACHE_SIZE);
  if (bytes <= 0)
    bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (bytes <= 0)
    return "unknown";
  return llvm::formatv("{0} MiB (x of the {1}x4096 f32 and {2}x4096 bf16 "
                       "and f16 cases: {3} MiB)",
                       bytes >> 20, kDramInputBytes / (4096 * 4),
                       kDramInputBytes / (4096 * 2), kDramInputBytes >> 20)
      .str();
}

/// One row group of the backward table: a gradient op on one input.
struct GradCase : NormCase {
  std::string getName() const { return "grad/" + NormCase::getName(); }
};

/// The large shapes of the normalization table.
std::vector<GradCase> getGradCases(llvm::ArrayRef<int> threadCounts) {
  return getCases<GradCase>(threadCounts, {{4096, 4096}, {16384, 1024}});
}

/// One row group of the fused residual table: a residual add and a norm.
struct ResidualCase : NormCase {
  std::string getName() const { return "residual/" + NormCase::getName(); }
};

/// The large shapes and the tiny block's.
std::vector<ResidualCase> getResidualCases(llvm::ArrayRef<int> threadCounts) {
  return getCases<ResidualCase>(threadCounts,
                                {{4096, 4096}, {16384, 1024}, {80, 128}});
}

/// One row of the transformer block table.
struct BlockCase {
  llvm::StringRef config; // examples/transformer_block/<config>.mlir
  int64_t seq, dim, hidden, heads;
  int rounds;
  double roundSeconds;
  int threads;          // 1: compiled serial; all cores: compiled parallel
  llvm::StringRef kind; // the norms: "layer" (as written) or "rms"

  std::string getName() const {
    return llvm::formatv("block/{0}/{1}/{2}", config, kind, threads);
  }
};

/// Per config (its weights made once), thread count and norm kind.
std::vector<BlockCase> getBlockCases(llvm::ArrayRef<int> threadCounts,
                                     bool quick) {
  struct Config {
    llvm::StringRef name;
    int64_t seq, dim, hidden, heads;
    int rounds;
    double roundSeconds;
  };
  std::vector<Config> configs = {
      {"tiny", 80, 128, 256, 8, quick ? 2 : 5, quick ? 0.02 : 0.1}};
  // A 7b run takes seconds: one run per round.
  if (!quick)
    configs.push_back({"7b", 128, 4096, 11008, 32, 3, 0.0});
  std::vector<BlockCase> cases;
  for (const Config &c : configs)
    for (int threads : threadCounts)
      for (llvm::StringRef kind : {"layer", "rms"})
        cases.push_back({c.name, c.seq, c.dim, c.hidden, c.heads, c.rounds,
                         c.roundSeconds, threads, kind});
  return cases;
}

/// One projection of the block: [m, k] x [k, n].
struct MatmulCase {
  int64_t m, k, n;

  std::string getName() const {
    return llvm::formatv("matmul/{0}x{1}x{2}", m, k, n);
  }
};

std::vector<MatmulCase> getMatmulCases(bool quick) {
  std::vector<MatmulCase> cases = {{80, 128, 256}};
  if (!quick) {
    cases.push_back({128, 4096, 4096});
    cases.push_back({128, 4096, 11008});
  }
  return cases;
}

/// The cases whose name `filter` matches (all without a filter).
template <typename Case>
std::vector<Case> select(std::vector<Case> cases, const llvm::Regex *filter) {
  if (filter)
    llvm::erase_if(cases,
                   [&](const Case &c) { return !filter->match(c.getName()); });
  return cases;
}

//===----------------------------------------------------------------------===//
// Norm table
//===----------------------------------------------------------------------===//

/// The tensor types of the modules below: x of [rows, cols] and a parameter
/// of [cols], in `dtype`.
std::pair<std::string, std::string> getTensorTypes(ElementType dtype,
                                                   int64_t rows, int64_t cols) {
  llvm::StringRef name = getElementTypeName(dtype);
  return {llvm::formatv("tensor<{0}x{1}x{2}>", rows, cols, name).str(),
          llvm::formatv("tensor<{0}x{1}>", cols, name).str()};
}

/// LayerNorm with scale and bias on [rows, cols]; norm-set-kind turns it into
/// RMSNorm with scale, the bias left an unused argument.
std::string normModule(ElementType dtype, int64_t rows, int64_t cols) {
  auto [t, p] = getTensorTypes(dtype, rows, cols);
  return llvm::formatv("func.func @main(%x: {0}, %g: {1}, %b: {1}) -> {0} {{\n"
                       "  %y = norm.layer_norm %x scale(%g : {1}) bias(%b : "
                       "{1}) {{epsilon = 1.0e-5 : f64} : {0} -> {0}\n"
                       "  return %y : {0}\n}\n",
                       t, p);
}

/// Calls fn(T(), load, store) with T the stored element (the bits of a
/// bf16 or an f16, or a float) and its conversions to and from float: the
/// scalar loops are written once for all dtypes.
template <typename Fn> void withElementType(ElementType dtype, Fn fn) {
  if (dtype == ElementType::BF16)
    fn(
        uint16_t(), [](uint16_t v) { return bf16BitsToFloat(v); },
        [](float v) { return norm::floatToBF16Bits(v); });
  else if (dtype == ElementType::F16)
    fn(
        uint16_t(), [](uint16_t v) { return halfBitsToFloat(v); },
        [](float v) { return norm::floatToHalfBits(v); });
  else
    fn(
        float(), [](float v) { return v; }, [](float v) { return v; });
}

/// The inputs of the cases of one dtype and shape, and the buffers their
/// implementations write.
struct NormInputs {
  ElementType dtype;
  int64_t rows, cols;
  NpyArray x, g, b;
  std::vector<uint8_t> y, copyDst;
  std::vector<float> gf, bf; // g and b in f32, for oneDNN

  NormInputs(ElementType dtype, int64_t rows, int64_t cols)
      : dtype(dtype), rows(rows), cols(cols) {
    ElementType type = dtype;
    x = randomArray(type, {rows, cols}, 1, 1.0, 2.0);
    g = randomArray(type, {cols}, 2, 1.0, 0.5);
    b = randomArray(type, {cols}, 3);
    y.resize(x.data.size());
    copyDst.resize(x.data.size());
    gf = toFloats(g);
    bf = toFloats(b);
  }
  bool holds(const NormCase &c) const {
    return c.dtype == dtype && c.rows == rows && c.cols == cols;
  }

private:
  std::vector<float> toFloats(const NpyArray &a) const {
    std::vector<float> f(cols);
    withElementType(dtype, [&](auto t, auto load, auto) {
      using T = decltype(t);
      for (int64_t c = 0; c < cols; ++c)
        f[c] = load(reinterpret_cast<const T *>(a.data.data())[c]);
    });
    return f;
  }
};

struct Row {
  std::string impl, op, dtype, shape;
  int threads;
  double medianSeconds, gbps, ratio;
};

/// The table rows of one measured case: impls[0] is the copy of `bytes`
/// (2 * bytes moved), the others move `moved` bytes; oneDNN's row is n/a
/// where it has no such op (RMSNorm in oneDNN 2.6, f16 LayerNorm on this
/// CPU).
void appendRows(std::vector<Row> &table, llvm::ArrayRef<Impl> impls,
                size_t bytes, double moved, llvm::StringRef op,
                const std::string &dtype, const std::string &shape,
                int threads) {
  double copyGBps = 2.0 * bytes / median(impls[0].samples) * 1e-9;
  bool hasOneDNN = false;
  for (const Impl &impl : impls) {
    double t = median(impl.samples);
    bool isCopy = impl.name == "copy";
    double gbps = (isCopy ? 2.0 * bytes : moved) / t * 1e-9;
    table.push_back({impl.name, isCopy ? "-" : op.str(), dtype, shape, threads,
                     t, gbps, gbps / copyGBps});
    hasOneDNN |= impl.name == "oneDNN";
  }
  if (!hasOneDNN)
    table.push_back({"oneDNN", op.str(), dtype, shape, threads, NAN, NAN, NAN});
}

template <typename T> T *as(void *data) { return static_cast<T *>(data); }

/// Measures, interleaved, a copy of the input, norm's compiled call, oneDNN
/// (where `onednn` is set) and the scalar loop on one case, and appends
/// their rows; the non-copy implementations move `moved` bytes.
void measureCase(NormInputs &in, int threads, Compiled &compiled,
                 std::function<void()> onednn, std::function<void()> scalar,
                 int rounds, double roundSeconds, double moved,
                 llvm::StringRef op, std::vector<Row> &table) {
  size_t bytes = in.x.data.size();
  std::vector<Impl> impls;
  impls.push_back({"copy", [&] {
                     copy(in.x.data.data(), in.copyDst.data(), bytes, threads);
                   }});
  impls.push_back({"norm", [&] { compiled.call->invoke(); }});
  if (onednn)
    impls.push_back({"oneDNN", onednn});
  if (scalar)
    impls.push_back({"scalar", scalar});
  measure(impls, rounds, roundSeconds);
  appendRows(table, impls, bytes, moved, op, getElementTypeName(in.dtype).str(),
             llvm::formatv("{0}x{1}", in.rows, in.cols), threads);
}

void benchNorms(llvm::ArrayRef<NormCase> cases, int rounds, double roundSeconds,
                std::vector<Row> &table, std::vector<std::string> &compileLog) {
  std::optional<NormInputs> in;
  for (const NormCase &nc : cases) {
    if (!in || !in->holds(nc))
      in.emplace(nc.dtype, nc.rows, nc.cols);
    bool layer = nc.kind == "layer";
    int threads = nc.threads;
    int64_t rows = nc.rows, cols = nc.cols;
    std::string shape = llvm::formatv("{0}x{1}", rows, cols);
    std::string dtype = getElementTypeName(nc.dtype).str();
    omp_set_num_threads(threads);

    Compiled compiled = compile(normModule(nc.dtype, rows, cols), nc.kind,
                                "main", {in->x, in->g, in->b}, threads > 1);
    compileLog.push_back(
        llvm::formatv("{0,-10} {1,-5} {2,-10} {3} thread(s): {4:f3} s",
                      layer ? "layer_norm" : "rms_norm", dtype, shape, threads,
                      compiled.jit->getCompileSeconds()));
    std::unique_ptr<OneDNN> onednn;
    // oneDNN 2.6 has no RMSNorm, and LayerNorm in f16 only on some CPUs.
    if (layer) {
      try {
        onednn = std::make_unique<OneDNN>(nc.dtype, rows, cols,
                                          in->x.data.data(), in->y.data(),
                                          in->gf.data(), in->bf.data());
      } catch (const dnnl::error &) {
      }
    }
    // No scalar loop in f16: norm's portable software conversions of half
    // take seconds per call on the DRAM-bound shape.
    std::function<void()> scalar;
    if (nc.dtype != ElementType::F16)
      scalar = [&] {
        withElementType(nc.dtype, [&](auto t, auto load, auto store) {
          using T = decltype(t);
          scalarNorm(layer, as<T>(in->x.data.data()), as<T>(in->g.data.data()),
                     as<T>(in->b.data.data()), as<T>(in->y.data()), rows, cols,
                     threads, load, store);
        });
      };
    // Bytes each implementation must move: x, y and the parameters.
    size_t elem = getElementSize(nc.dtype);
    double moved = 2.0 * in->x.data.size() + (layer ? 2 : 1) * cols * elem;
    measureCase(*in, threads, compiled,
                onednn ? std::function<void()>([&] { onednn->run(); })
                       : std::function<void()>(),
                scalar, rounds, roundSeconds, moved, layer ? "layer" : "rms",
                table);
  }
}

/// The gradient of normModule's op (statistics recomputed from x): dx and
/// the parameters' gradients (scale, and bias for LayerNorm).
std::string gradModule(ElementType dtype, int64_t rows, int64_t cols,
                       bool layer) {
  auto [t, p] = getTensorTypes(dtype, rows, cols);
  if (!layer)
    return llvm::formatv(
        "func.func @main(%dy: {0}, %x: {0}, %g: {1}) -> ({0}, {1}) {{\n"
        "  %dx, %dg = norm.rms_norm_grad %dy, %x scale(%g : {1}) "
        "{{epsilon = 1.0e-5 : f64} : {0} -> {0}, {1}\n"
        "  return %dx, %dg : {0}, {1}\n}\n",
        t, p);
  return llvm::formatv(
      "func.func @main(%dy: {0}, %x: {0}, %g: {1}, %b: {1}) -> ({0}, {1}, "
      "{1}) {{\n"
      "  %dx, %dg, %db = norm.layer_norm_grad %dy, %x scale(%g : {1}) "
      "bias(%b : {1}) {{epsilon = 1.0e-5 : f64} : {0} -> {0}, {1}, {1}\n"
      "  return %dx, %dg, %db : {0}, {1}, {1}\n}\n",
      t, p);
}

void benchGrads(llvm::ArrayRef<GradCase> cases, int rounds, double roundSeconds,
                std::vector<Row> &table, std::vector<std::string> &compileLog) {
  std::optional<NormInputs> in;
  NpyArray dy;
  std::vector<uint8_t> dx;
  std::vector<float> dg, db;
  for (const GradCase &gc : cases) {
    if (!in || !in->holds(gc)) {
      in.emplace(gc.dtype, gc.rows, gc.cols);
      dy = randomArray(gc.dtype, {gc.rows, gc.cols}, 4);
      dx.resize(dy.data.size());
      dg.resize(gc.cols);
      db.resize(gc.cols);
    }
    bool layer = gc.kind == "layer";
    int threads = gc.threads;
    int64_t rows = gc.rows, cols = gc.cols;
    std::string shape = llvm::formatv("{0}x{1}", rows, cols);
    std::string dtype = getElementTypeName(gc.dtype).str();
    omp_set_num_threads(threads);

    std::vector<NpyArray> args = {dy, in->x, in->g};
    if (layer)
      args.push_back(in->b);
    Compiled compiled = compile(gradModule(gc.dtype, rows, cols, layer), "",
                                "main", args, threads > 1);
    compileLog.push_back(
        llvm::formatv("{0,-15} {1,-5} {2,-10} {3} thread(s): {4:f3} s",
                      layer ? "layer_norm_grad" : "rms_norm_grad", dtype, shape,
                      threads, compiled.jit->getCompileSeconds()));
    std::unique_ptr<OneDNNBackward> onednn;
    if (layer)
      onednn = std::make_unique<OneDNNBackward>(
          gc.dtype == ElementType::BF16, rows, cols, in->x.data.data(),
          dy.data.data(), dx.data(), in->gf.data(), in->bf.data());
    auto scalar = [&] {
      withElementType(gc.dtype, [&](auto t, auto load, auto store) {
        using T = decltype(t);
        scalarNormGrad(layer, as<T>(in->x.data.data()), as<T>(dy.data.data()),
                       as<T>(in->g.data.data()), as<T>(dx.data()), dg.data(),
                       db.data(), rows, cols, threads, load, store);
      });
    };
    // Bytes each implementation must move: x and dy read, dx written, the
    // parameters read and their gradients written (oneDNN also reads the
    // saved mean and variance, 8 bytes a row, not counted).
    size_t elem = getElementSize(gc.dtype);
    double moved = 3.0 * in->x.data.size() + (layer ? 3 : 2) * cols * elem;
    measureCase(*in, threads, compiled,
                onednn ? std::function<void()>([&] { onednn->run(); })
                       : std::function<void()>(),
                scalar, rounds, roundSeconds, moved, layer ? "layer'" : "rms'",
                table);
  }
}

/// A pre-norm residual step, as the block example writes it: the sum of the
/// residual and the input (linalg.add), normalized and returned as the next
/// residual. Compiled with norm-fuse-residual it is norm.add_layer_norm.
std::string residualModule(ElementType dtype, int64_t rows, int64_t cols) {
  auto [t, p] = getTensorTypes(dtype, rows, cols);
  return llvm::formatv(
      "func.func @main(%x: {0}, %r: {0}, %g: {1}, %b: {1}) -> ({0}, {0}) {{\n"
      "  %e = tensor.empty() : {0}\n"
      "  %s = linalg.add ins(%r, %x : {0}, {0}) outs(%e : {0}) -> {0}\n"
      "  %y = norm.layer_norm %s scale(%g : {1}) bias(%b : {1}) "
      "{{epsilon = 1.0e-5 : f64} : {0} -> {0}\n"
      "  return %y, %s : {0}, {0}\n}\n",
      t, p);
}

/// The fused residual op against the same module unfused (the add, then
/// the norm), interleaved with a copy; also returns fused / unfused speed.
void benchResiduals(llvm::ArrayRef<ResidualCase> cases, int rounds,
                    double roundSeconds, std::vector<Row> &table,
                    std::vector<std::string> &speedups) {
  std::optional<NormInputs> in;
  NpyArray residual;
  for (const ResidualCase &rc : cases) {
    if (!in || !in->holds(rc)) {
      in.emplace(rc.dtype, rc.rows, rc.cols);
      residual = randomArray(rc.dtype, {rc.rows, rc.cols}, 5);
    }
    std::string source = residualModule(rc.dtype, rc.rows, rc.cols);
    std::vector<NpyArray> args = {in->x, residual, in->g, in->b};
    Compiled fused =
        compile(source, rc.kind, "main", args, rc.threads > 1, true);
    Compiled unfused =
        compile(source, rc.kind, "main", args, rc.threads > 1, false);
    size_t bytes = in->x.data.size();
    std::vector<Impl> impls;
    impls.push_back({"copy", [&] {
                       copy(in->x.data.data(), in->copyDst.data(), bytes,
                            rc.threads);
                     }});
    impls.push_back({"fused", [&] { fused.call->invoke(); }});
    impls.push_back({"unfused", [&] { unfused.call->invoke(); }});
    measure(impls, rounds, roundSeconds);
    // Bytes a fused implementation must move: x and the residual read, y
    // and the sum written, the parameters read.
    size_t elem = getElementSize(rc.dtype);
    double moved = 4.0 * bytes + (rc.kind == "layer" ? 2 : 1) * rc.cols * elem;
    std::string op = "add+" + rc.kind.str();
    appendRows(table, impls, bytes, moved, op,
               getElementTypeName(rc.dtype).str(),
               llvm::formatv("{0}x{1}", rc.rows, rc.cols), rc.threads);
    table.pop_back(); // no oneDNN row
    speedups.push_back(llvm::formatv(
        "{0,-10} {1,-5} {2,-11} {3} thread(s): fused / unfused speed {4:f3}",
        op, getElementTypeName(rc.dtype).str(),
        llvm::formatv("{0}x{1}", rc.rows, rc.cols), rc.threads,
        median(impls[2].samples) / median(impls[1].samples)));
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
          r.shape, r.threads,
          llvm::StringRef(r.op).starts_with("rms")
              ? "n/a (no RMSNorm in oneDNN 2.6)"
              : "n/a (no f16 LayerNorm in oneDNN 2.6 here)");
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

/// A block's module (LayerNorm as written), its weights and the operands of
/// its attention contractions (for the matmuls alone).
struct BlockInputs {
  llvm::StringRef config;
  std::string source;
  std::vector<NpyArray> args;
  std::vector<NpyArray> attention; // q, k^T, probabilities, v; SwiGLU output

  explicit BlockInputs(const BlockCase &c) : config(c.config) {
    source = readFile(std::string(NORM_EXAMPLES_DIR) + "/" + c.config.str() +
                      ".mlir");
    // Weights scaled by 1/sqrt(fan-in), as initialized for training.
    std::vector<std::vector<int64_t>> shapes = {
        {c.seq, c.dim},    {c.dim},           {c.dim},
        {c.dim, c.dim},    {c.dim, c.dim},    {c.dim, c.dim},
        {c.dim, c.dim},    {c.dim},           {c.dim},
        {c.dim, c.hidden}, {c.dim, c.hidden}, {c.hidden, c.dim}};
    for (auto [i, shape] : llvm::enumerate(shapes)) {
      double stddev =
          shape.size() == 2 && i > 0 ? 1.0 / std::sqrt(shape[0]) : 1.0;
      double mean = shape.size() == 1 && (i == 1 || i == 7) ? 1.0 : 0.0;
      args.push_back(randomArray(ElementType::F32, shape, 10 + i, mean,
                                 shape.size() == 1 ? 0.1 : stddev));
    }
    int64_t h = c.heads, s = c.seq, dh = c.dim / c.heads;
    for (auto [i, shape] : llvm::enumerate(std::vector<std::vector<int64_t>>{
             {h, s, dh}, {h, dh, s}, {h, s, s}, {h, s, dh}, {s, c.hidden}}))
      attention.push_back(randomArray(ElementType::F32, shape, 30 + i));
  }

  /// The arguments of blockMatmulsModule.
  std::vector<NpyArray> getMatmulArgs() const {
    std::vector<NpyArray> m = {args[0], args[3], args[4],  args[5],
                               args[6], args[9], args[10], args[11]};
    m.insert(m.end(), attention.begin(), attention.end());
    return m;
  }
};

std::string f32Tensor(llvm::ArrayRef<int64_t> shape) {
  std::string text = "tensor<";
  for (int64_t d : shape)
    text += std::to_string(d) + "x";
  return text + "f32>";
}

/// The block's norms as it runs them: the first on x, the second with the
/// attention's residual add, which norm-fuse-residual fuses into it.
std::string blockNormsModule(const BlockCase &c) {
  return llvm::formatv(
      "func.func @main(%x: {0}, %r: {0}, %g: {1}, %b: {1}) -> ({0}, {0}, {0}) "
      "{{\n"
      "  %n1 = norm.layer_norm %x scale(%g : {1}) bias(%b : {1}) : {0} -> {0}\n"
      "  %e = tensor.empty() : {0}\n"
      "  %h = linalg.add ins(%x, %r : {0}, {0}) outs(%e : {0}) -> {0}\n"
      "  %n2 = norm.layer_norm %h scale(%g : {1}) bias(%b : {1}) : {0} -> {0}\n"
      "  return %n1, %h, %n2 : {0}, {0}, {0}\n}\n",
      f32Tensor({c.seq, c.dim}), f32Tensor({c.dim}));
}

/// The block's nine contractions on operands of their shapes, each into a
/// zero-filled result as generate.py writes them.
std::string blockMatmulsModule(const BlockCase &c) {
  int64_t s = c.seq, d = c.dim, f = c.hidden, h = c.heads, dh = d / h;
  struct Contraction {
    llvm::StringRef op, lhs, rhs;
    std::vector<int64_t> lhsShape, rhsShape, outShape;
  };
  std::vector<Contraction> contractions = {
      {"matmul", "x", "wq", {s, d}, {d, d}, {s, d}},
      {"matmul", "x", "wk", {s, d}, {d, d}, {s, d}},
      {"matmul", "x", "wv", {s, d}, {d, d}, {s, d}},
      {"batch_matmul", "qh", "kh", {h, s, dh}, {h, dh, s}, {h, s, s}},
      {"batch_matmul", "p", "vh", {h, s, s}, {h, s, dh}, {h, s, dh}},
      {"matmul", "x", "wo", {s, d}, {d, d}, {s, d}},
      {"matmul", "x", "w_gate", {s, d}, {d, f}, {s, f}},
      {"matmul", "x", "w_up", {s, d}, {d, f}, {s, f}},
      {"matmul", "a", "w_down", {s, f}, {f, d}, {s, d}}};
  std::string args = llvm::formatv(
      "%x: {0}, %wq: {1}, %wk: {1}, %wv: {1}, %wo: {1}, %w_gate: {2}, "
      "%w_up: {2}, %w_down: {3}, %qh: {4}, %kh: {5}, %p: {6}, %vh: {4}, "
      "%a: {7}",
      f32Tensor({s, d}), f32Tensor({d, d}), f32Tensor({d, f}),
      f32Tensor({f, d}), f32Tensor({h, s, dh}), f32Tensor({h, dh, s}),
      f32Tensor({h, s, s}), f32Tensor({s, f}));
  std::string body = "  %zero = arith.constant 0.0 : f32\n";
  std::vector<std::string> names, types;
  for (auto [i, k] : llvm::enumerate(contractions)) {
    std::string out = f32Tensor(k.outShape);
    body += llvm::formatv(
        "  %e{0} = tensor.empty() : {1}\n"
        "  %z{0} = linalg.fill ins(%zero : f32) outs(%e{0} : {1}) -> {1}\n"
        "  %r{0} = linalg.{2} ins(%{3}, %{4} : {5}, {6}) outs(%z{0} : {1}) "
        "-> {1}\n",
        i, out, k.op, k.lhs, k.rhs, f32Tensor(k.lhsShape),
        f32Tensor(k.rhsShape));
    names.push_back("%r" + std::to_string(i));
    types.push_back(out);
  }
  std::string results = llvm::join(types, ", ");
  return llvm::formatv("func.func @main({0}) -> ({1}) {{\n{2}  return {3} : "
                       "{1}\n}\n",
                       args, results, body, llvm::join(names, ", "));
}

/// The block against the same block unfused, its norms alone and its
/// matmuls alone, all compiled the same way and timed interleaved.
void benchBlock(const BlockCase &c, const BlockInputs &in) {
  double flops = 2.0 * c.seq * (4.0 * c.dim * c.dim + 3.0 * c.dim * c.hidden) +
                 2.0 * 2.0 * c.seq * c.seq * c.dim;
  bool parallel = c.threads > 1;
  Compiled block = compile(in.source, c.kind, "block", in.args, parallel);
  Compiled unfused = compile(in.source, c.kind, "block", in.args, parallel,
                             /*fuseResidual=*/false);
  Compiled norms =
      compile(blockNormsModule(c), c.kind, "main",
              {in.args[0], in.args[0], in.args[1], in.args[2]}, parallel);
  Compiled matmuls = compile(blockMatmulsModule(c), /*normKind=*/"", "main",
                             in.getMatmulArgs(), parallel);
  std::vector<Impl> impls = {{"block", [&] { block.call->invoke(); }},
                             {"unfused", [&] { unfused.call->invoke(); }},
                             {"norms", [&] { norms.call->invoke(); }},
                             {"matmuls", [&] { matmuls.call->invoke(); }}};
  // One warm-up: a 7b run takes seconds.
  measure(impls, c.rounds, c.roundSeconds, /*warmups=*/1);
  double t = median(impls[0].samples);
  double tUnfused = median(impls[1].samples);
  // Ratios of the fastest runs: another job on the cores only adds time,
  // and a median of 7b's three runs is one disturbed run away.
  auto fastest = [&](int i) { return *llvm::min_element(impls[i].samples); };
  double speedup = fastest(1) / fastest(0);
  double normShare = fastest(2) / fastest(0);
  double matmulShare = fastest(3) / fastest(0);
  llvm::outs() << llvm::formatv(
      "{0,-5} {1,-6} {2,7} {3,8:f3} s {4,10:f2} ms {5,10:f1} {6,8:f2} "
      "{7,6:f1}% {8,7:f1}% {9,6:f1}% {10,10:f2} ms {11,8:f3}\n",
      c.config, c.kind, c.threads, block.jit->getCompileSeconds(), t * 1e3,
      c.seq / t, flops / t * 1e-9, 100.0 * normShare, 100.0 * matmulShare,
      100.0 * (1.0 - normShare - matmulShare), tUnfused * 1e3, speedup);
}

void benchBlocks(llvm::ArrayRef<BlockCase> cases) {
  std::optional<BlockInputs> in;
  for (const BlockCase &c : cases) {
    if (!in || in->config != c.config) {
      in.reset(); // Free one config's weights before making the next's.
      in.emplace(c);
    }
    benchBlock(c, *in);
  }
}

/// Our matmul against OpenBLAS sgemm, each with every thread count
/// (interleaved), and the ratio of GFLOP/s at the same thread count.
void benchMatmul(const MatmulCase &mc, llvm::ArrayRef<int> threadCounts) {
  int64_t m = mc.m, k = mc.k, n = mc.n;
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
  const float *pa = reinterpret_cast<const float *>(a.data.data());
  const float *pb = reinterpret_cast<const float *>(b.data.data());
  // One thread: norm's serial code; more: its parallel code on all cores.
  std::vector<Compiled> compiled;
  std::vector<Impl> impls;
  for (int threads : threadCounts)
    compiled.push_back(
        compile(source, /*normKind=*/"", "main", {a, b}, threads > 1));
  for (auto [threads, norm] : llvm::zip(threadCounts, compiled)) {
    impls.push_back({llvm::formatv("norm ({0} thread(s))", threads).str(),
                     [&norm] { norm.call->invoke(); }});
    impls.push_back({llvm::formatv("OpenBLAS ({0} thread(s))", threads).str(),
                     [&, threads] {
                       openblas_set_num_threads(threads);
                       cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m,
                                   n, k, 1.0f, pa, k, pb, n, 0.0f, c.data(), n);
                     }});
  }
  measure(impls, 3, 0.3);
  double flops = 2.0 * m * n * k;
  for (size_t i = 0; i < impls.size(); ++i) {
    double t = median(impls[i].samples);
    // Odd rows (OpenBLAS) print norm's ratio to them.
    std::string ratio = i % 2 ? llvm::formatv("  norm/OpenBLAS {0,5:f2}",
                                              median(impls[i].samples) /
                                                  median(impls[i - 1].samples))
                                    .str()
                              : "";
    llvm::outs() << llvm::formatv(
        "  {0,-24} [{1}x{2}] x [{2}x{3}]: {4,8:f2} ms {5,8:f1} GFLOP/s{6}\n",
        impls[i].name, m, k, n, t * 1e3, flops / t * 1e-9, ratio);
  }
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

/// Command-line options, local to main so they cannot clash with LLVM's.
struct Options {
  cl::OptionCategory category{"norm-bench options"};
  cl::opt<std::string> filter{
      "filter",
      cl::desc("Run only the cases whose name contains a match of this "
               "regular expression (a plain substring is one); anchor with ^ "
               "and $"),
      cl::value_desc("regex"), cl::cat(category)};
  cl::opt<bool> list{"list",
                     cl::desc("Print the names of the selected cases and exit"),
                     cl::cat(category)};
  cl::opt<unsigned> rounds{
      "rounds",
      cl::desc("Interleaved rounds of each normalization case; the table "
               "reports medians over all of them (default 5, 2 with --quick)"),
      cl::init(5), cl::cat(category)};
  cl::list<unsigned> threads{
      "threads",
      cl::desc("Thread counts of the normalization and block tables and of "
               "OpenBLAS, "
               "comma-separated; each is 1 (norm's serial code) or the "
               "number of cores (its parallel code, on all cores). Default: "
               "both"),
      cl::value_desc("n,..."), cl::CommaSeparated, cl::cat(category)};
  cl::opt<bool> quick{
      "quick",
      cl::desc("Shorter run: 2 rounds of 20 ms (also of the tiny block), no "
               "7b block nor its matmuls, no DRAM-bound normalization case"),
      cl::cat(category)};
};

constexpr const char *kOverview =
    R"(norm-bench: norm against a same-run copy, oneDNN, a scalar loop and OpenBLAS

Prints the normalization table (median time, GB/s and the ratio to a copy of
the same bytes measured in the same rounds with the same threads), then the
transformer block and matmul tables. Case names, which --filter matches:
  normalization   op/dtype/shape/threads   rms/bf16/4096x4096/1
  backward        grad/op/dtype/shape/thr  grad/layer/f32/16384x1024/2
  fused residual  residual/op/dtype/...    residual/rms/bf16/4096x4096/1
  block           block/config/norm/thr    block/tiny/rms/2
  matmul          matmul/MxKxN             matmul/80x128x256
Example: norm-bench --filter='^layer/f32/80x128/1$' --rounds=1
)";

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "norm-bench") << message << "\n";
  return 1;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // libLLVM registers an undocumented --threads=<int> of its own, which would
  // clash with ours; nothing in norm-bench reads it.
  if (cl::Option *llvmThreads = cl::getRegisteredOptions().lookup("threads"))
    llvmThreads->removeArgument();
  Options options;
  cl::HideUnrelatedOptions(options.category);
  cl::ParseCommandLineOptions(argc, argv, kOverview);

  // Every flag is checked before any work.
  int allThreads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<int> threadCounts;
  for (unsigned threads : options.threads) {
    if (threads != 1 && threads != unsigned(allThreads))
      return fail(llvm::formatv("--threads={0}: each count must be 1 or {1} "
                                "(norm's parallel code runs on all {1} cores)",
                                threads, allThreads));
    if (!llvm::is_contained(threadCounts, int(threads)))
      threadCounts.push_back(threads);
  }
  if (threadCounts.empty()) {
    threadCounts.push_back(1);
    if (allThreads > 1)
      threadCounts.push_back(allThreads);
  }
  int rounds = options.quick && !options.rounds.getNumOccurrences()
                   ? 2
                   : int(options.rounds);
  if (rounds < 1)
    return fail("--rounds must be at least 1");
  double roundSeconds = options.quick ? 0.02 : 0.1;
  std::optional<llvm::Regex> filter;
  if (!options.filter.empty()) {
    filter.emplace(options.filter);
    std::string error;
    if (!filter->isValid(error))
      return fail("--filter='" + options.filter + "': " + error);
  }
  const llvm::Regex *filterPtr = filter ? &*filter : nullptr;
  std::vector<NormCase> normCases =
      select(getNormCases(threadCounts, options.quick), filterPtr);
  std::vector<GradCase> gradCases =
      select(getGradCases(threadCounts), filterPtr);
  std::vector<ResidualCase> residualCases =
      select(getResidualCases(threadCounts), filterPtr);
  std::vector<BlockCase> blockCases =
      select(getBlockCases(threadCounts, options.quick), filterPtr);
  std::vector<MatmulCase> matmulCases =
      select(getMatmulCases(options.quick), filterPtr);
  if (normCases.empty() && gradCases.empty() && residualCases.empty() &&
      blockCases.empty() && matmulCases.empty())
    return fail("no case matches --filter='" + options.filter +
                "' (--list prints the names)");
  if (options.list) {
    for (const NormCase &c : normCases)
      llvm::outs() << c.getName() << "\n";
    for (const GradCase &c : gradCases)
      llvm::outs() << c.getName() << "\n";
    for (const ResidualCase &c : residualCases)
      llvm::outs() << c.getName() << "\n";
    for (const BlockCase &c : blockCases)
      llvm::outs() << c.getName() << "\n";
    for (const MatmulCase &c : matmulCases)
      llvm::outs() << c.getName() << "\n";
    return 0;
  }

  // Freed JIT results are reused instead of returned to the OS: fresh pages
  // would be timed, not the kernels.
  reuseFreedMemory();

  if (!normCases.empty()) {
    std::vector<Row> table;
    std::vector<std::string> compileLog;
    benchNorms(normCases, rounds, roundSeconds, table, compileLog);
    llvm::outs() << "== Normalization: median of " << rounds
                 << " interleaved rounds; GB/s = (x + y + parameters) bytes / "
                    "time; 'vs copy' = GB/s over the same-run copy with the "
                    "same threads; last-level cache "
                 << getLastLevelCacheDescription() << " ==\n";
    printNormTable(table);
    llvm::outs() << "\n== norm compile time (lower + JIT, excluded above) ==\n";
    for (const std::string &line : compileLog)
      llvm::outs() << line << "\n";
  }

  if (!gradCases.empty()) {
    std::vector<Row> table;
    std::vector<std::string> compileLog;
    benchGrads(gradCases, rounds, roundSeconds, table, compileLog);
    llvm::outs() << "\n== Backward (gradient ops, statistics recomputed from "
                    "x): median of "
                 << rounds
                 << " interleaved rounds; GB/s = (x + dy + dx + parameters + "
                    "their gradients) bytes / time; 'vs copy' as above ==\n";
    printNormTable(table);
    llvm::outs() << "\n== gradient compile time ==\n";
    for (const std::string &line : compileLog)
      llvm::outs() << line << "\n";
  }

  if (!residualCases.empty()) {
    std::vector<Row> table;
    std::vector<std::string> speedups;
    benchResiduals(residualCases, rounds, roundSeconds, table, speedups);
    llvm::outs() << "\n== Fused residual add (norm.add_*_norm) against the "
                    "add followed by the norm: median of "
                 << rounds
                 << " interleaved rounds; GB/s = (x + residual + y + sum + "
                    "parameters) bytes / time for both; 'vs copy' as above "
                    "(the unfused add is a linalg op: one thread) ==\n";
    printNormTable(table);
    llvm::outs() << "\n";
    for (const std::string &line : speedups)
      llvm::outs() << line << "\n";
  }

  if (!blockCases.empty()) {
    llvm::outs()
        << "\n== Transformer block (pre-norm, f32): median of interleaved "
           "runs of the block, the same block unfused, its norms alone and "
           "its matmuls alone, compiled alike (1 thread: serial code; "
        << allThreads
        << ": parallel code); 'norms' (with the residual add fused into the "
           "second, as in the block), 'matmuls' (the nine contractions) and "
           "'other' (attention softmax, transposes, SwiGLU, the last add) "
           "are shares of the block's time; 'unfused run' is the block "
           "without norm-fuse-residual, 'speedup' its time over the "
           "block's; shares and speedup compare fastest runs ==\n";
    llvm::outs() << llvm::formatv(
        "{0,-5} {1,-6} {2,7} {3,10} {4,13} {5,10} {6,8} {7,7} {8,8} {9,7} "
        "{10,13} {11,8}\n",
        "block", "norm", "threads", "compile", "run", "tokens/s", "GFLOP/s",
        "norms", "matmuls", "other", "unfused run", "speedup");
    benchBlocks(blockCases);
  }
  if (!matmulCases.empty()) {
    llvm::outs() << "\n== Matmul against OpenBLAS sgemm (same run) ==\n";
    for (const MatmulCase &c : matmulCases)
      benchMatmul(c, threadCounts);
  }
  llvm::outs().flush();
  return 0;
}
