//===- norm-differential-test.cpp - JIT output vs float64 reference -------===//
//
// Checks compiled norm ops against the float64 reference semantics:
// N random configurations (rank, axes, dynamic dims, dtypes, scale/bias with
// broadcasting, feature epsilon, statistics, zero rows, empty tensors), each
// JIT-compiled and run on fresh random data.
// A failing case prints its seed and IR; --case-seed replays it alone.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/ExecutionEngine/JitModule.h"
#include "norm/InitAll.h"
#include "norm/Pipelines/Pipelines.h"
#include "norm/Reference/Reference.h"
#include "norm/Support/HalfFloat.h"
#include "norm/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <cfloat>
#include <cmath>
#include <random>

using namespace norm;
namespace cl = llvm::cl;

namespace {
struct Options {
  cl::OptionCategory category{"norm-differential-test options"};
  cl::opt<unsigned> cases{"cases", cl::desc("Random configurations to run"),
                          cl::init(500), cl::cat(category)};
  cl::opt<uint64_t> seed{"seed", cl::desc("Seed of the whole run"),
                         cl::init(20261122), cl::cat(category)};
  cl::opt<uint64_t> caseSeed{"case-seed",
                             cl::desc("Replay the one case with this seed"),
                             cl::init(0), cl::cat(category)};
  cl::opt<bool> verbose{"v", cl::desc("Print every case"), cl::cat(category)};
  cl::opt<std::string> target{
      "target",
      cl::desc("Where the cases run: cpu, or gpu (norm-lower-to-nvvm)"),
      cl::init("cpu"), cl::cat(category)};
  cl::opt<std::string> prePipeline{
      "pre-pipeline",
      cl::desc("Pass pipeline to run on each case before compiling, e.g. "
               "'builtin.module(func.func(norm-trailing-axes))'"),
      cl::init(""), cl::cat(category)};
  cl::opt<bool> lowerOnly{
      "lower-only",
      cl::desc("Only lower each case with the target's pipeline (checks that "
               "every form compiles, e.g. to PTX on a machine without a GPU)"),
      cl::cat(category)};
};

/// Where runCase compiles for, and what it runs before the target pipeline.
Target caseTarget = Target::CPU;
std::string prePipeline;
bool lowerOnly = false;

/// Tolerance of a value stored in `type` and computed in `compute`.
struct Tolerance {
  double atol, rtol;
};
Tolerance getTolerance(ElementType stored, ElementType compute) {
  double c = compute == ElementType::F64 ? 1e-12 : 2e-5;
  switch (stored) {
  case ElementType::F16:
    return {2e-3, 2e-3};
  case ElementType::BF16:
    return {1.6e-2, 1.6e-2};
  case ElementType::F32:
    return {std::max(c, 2e-5), std::max(c, 2e-5)};
  default:
    return {c, c};
  }
}

double getTiny(ElementType compute) {
  switch (compute) {
  case ElementType::F16:
    return 6.103515625e-05;
  case ElementType::BF16:
  case ElementType::F32:
    return FLT_MIN;
  default:
    return DBL_MIN;
  }
}

/// One norm op to test, with the data it runs on.
struct Case {
  bool layer = false;
  ElementType inputType = ElementType::F32;
  ElementType computeType = ElementType::F32;
  bool explicitCompute = false;
  std::vector<int64_t> shape;
  std::vector<bool> dynamic;
  std::vector<int64_t> axes; // as written in the IR (may be negative)
  double epsilon = 1e-5;
  // Affine parameters in order scale, bias, feature_epsilon.
  struct Param {
    bool present = false;
    ElementType type = ElementType::F32;
    std::vector<int64_t> shape;
  } params[3];
  bool statistics = false;
  bool parallel = false;
};

std::string tensorType(llvm::ArrayRef<int64_t> shape, std::vector<bool> dyn,
                       ElementType type) {
  std::string text = "tensor<";
  for (auto [i, dim] : llvm::enumerate(shape))
    text +=
        (dyn.size() > i && dyn[i] ? std::string("?") : std::to_string(dim)) +
        "x";
  return text + getElementTypeName(type).str() + ">";
}

std::string printCase(const Case &c) {
  std::string in = tensorType(c.shape, c.dynamic, c.inputType);
  std::string args = "%x: " + in, operands;
  const char *names[] = {"scale", "bias", "feature_epsilon"};
  for (int k = 0; k < 3; ++k) {
    if (!c.params[k].present)
      continue;
    std::string t = tensorType(c.params[k].shape, {}, c.params[k].type);
    args += llvm::formatv(", %p{0}: {1}", k, t).str();
    operands += llvm::formatv(" {0}(%p{1} : {2})", names[k], k, t).str();
  }
  std::string results = in;
  std::vector<int64_t> statsShape = c.shape;
  std::vector<bool> statsDynamic = c.dynamic;
  auto canonical = reference::canonicalAxes(c.axes, c.shape.size());
  for (int64_t a : canonical) {
    statsShape[a] = 1;
    statsDynamic[a] = false;
  }
  int numStats = c.statistics ? (c.layer ? 2 : 1) : 0;
  for (int i = 0; i < numStats; ++i)
    results += ", " + tensorType(statsShape, statsDynamic, c.computeType);
  std::string axes;
  for (auto [i, a] : llvm::enumerate(c.axes))
    axes += (i ? ", " : "") + std::to_string(a);
  std::string attrs =
      llvm::formatv("axes = array<i64: {0}>, epsilon = {1:e} : f64", axes,
                    c.epsilon)
          .str();
  if (c.explicitCompute)
    attrs += std::string(", compute_type = ") +
             getElementTypeName(c.computeType).str();
  std::string resultNames = "%r#0";
  for (int i = 1; i <= numStats; ++i)
    resultNames += ", %r#" + std::to_string(i);
  return llvm::formatv("// {8}\nfunc.func @main({0}) -> ({1}) {{\n"
                       "  %r:{2} = norm.{3} %x{4} {{{5}} : {6} -> {1}\n"
                       "  return {7} : {1}\n}\n",
                       args, results, 1 + numStats,
                       c.layer ? "layer_norm" : "rms_norm", operands, attrs, in,
                       resultNames,
                       c.parallel ? "parallel rows" : "sequential rows")
      .str();
}

Case randomCase(std::mt19937_64 &rng) {
  auto uniform = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  const ElementType floats[] = {ElementType::F16, ElementType::BF16,
                                ElementType::F32, ElementType::F64};
  Case c;
  c.layer = chance(0.5);
  c.inputType = floats[uniform(0, 3)];
  c.computeType =
      c.inputType == ElementType::F64 ? ElementType::F64 : ElementType::F32;
  if (c.inputType != ElementType::F64 && chance(0.15))
    c.computeType = ElementType::F64;
  c.explicitCompute = c.computeType != ElementType::F32 || chance(0.1);
  int rank = uniform(1, 5);
  int64_t budget = 6000;
  for (int d = 0; d < rank; ++d) {
    int64_t dim = chance(0.04) ? 0 : uniform(1, d + 1 == rank ? 300 : 9);
    if (dim > budget)
      dim = std::max<int64_t>(1, budget);
    budget /= std::max<int64_t>(dim, 1);
    c.shape.push_back(dim);
    c.dynamic.push_back(chance(0.4));
  }
  std::vector<int64_t> dims(rank);
  for (int d = 0; d < rank; ++d)
    dims[d] = d;
  std::shuffle(dims.begin(), dims.end(), rng);
  int numAxes = chance(0.6) ? 1 : uniform(1, rank);
  for (int i = 0; i < numAxes; ++i)
    c.axes.push_back(chance(0.3) ? dims[i] - rank : dims[i]);
  if (numAxes == 1 && chance(0.5))
    c.axes = {-1};
  const double epsilons[] = {0.0, 1e-6, 1e-5, 1e-2};
  c.epsilon = epsilons[uniform(0, 3)];
  auto canonical = reference::canonicalAxes(c.axes, rank);
  for (int k = 0; k < 3; ++k) {
    Case::Param &p = c.params[k];
    p.present = chance(k == 2 ? 0.2 : 0.5);
    p.type = floats[uniform(0, 3)];
    for (int64_t a : canonical)
      p.shape.push_back(chance(0.2) ? 1 : c.shape[a]);
  }
  c.statistics = !c.params[2].present && chance(0.35);
  c.parallel = chance(0.5);
  return c;
}

std::vector<double> randomValues(std::mt19937_64 &rng, int64_t count,
                                 double mean, double stddev) {
  std::normal_distribution<double> normal(mean, stddev);
  std::vector<double> values(count);
  for (double &v : values)
    v = normal(rng);
  return values;
}

int64_t product(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Compares `got` to `want` elementwise; returns a message on mismatch.
std::optional<std::string> compare(llvm::StringRef what, const NpyArray &got,
                                   const reference::Tensor &want,
                                   Tolerance tol) {
  if (got.shape != want.shape)
    return (what + " has the wrong shape").str();
  std::vector<double> values = toDoubles(got);
  for (size_t i = 0; i < values.size(); ++i) {
    double err = std::fabs(values[i] - want.data[i]);
    if (!(err <= tol.atol + tol.rtol * std::fabs(want.data[i])))
      return llvm::formatv("{0}[{1}] = {2}, reference {3} (error {4:e}, "
                           "tolerance {5:e} + {6:e}*|ref|)",
                           what, i, values[i], want.data[i], err, tol.atol,
                           tol.rtol)
          .str();
  }
  return std::nullopt;
}

/// Compiles and runs `c` on random data; returns an error message on
/// mismatch.
std::optional<std::string> runCase(const Case &c, std::mt19937_64 &rng) {
  mlir::DialectRegistry registry;
  mlir::norm::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  std::string ir = printCase(c);
  std::string diagnostics;
  llvm::raw_string_ostream diagStream(diagnostics);
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagStream << d.getLocation() << ": " << d << "\n";
    return mlir::success();
  });
  auto module = mlir::parseSourceString<mlir::ModuleOp>(ir, &context);
  if (!module)
    return "the generated IR does not parse:\n" + diagnostics;
  if (!prePipeline.empty()) {
    mlir::PassManager pm(&context);
    if (mlir::failed(mlir::parsePassPipeline(prePipeline, pm)) ||
        mlir::failed(pm.run(*module)))
      return "--pre-pipeline failed:\n" + diagnostics;
  }
  if (lowerOnly) {
    mlir::PassManager pm(&context);
    if (caseTarget == Target::GPU)
      mlir::norm::buildNormLowerToNVVMPipeline(pm, {});
    else
      mlir::norm::buildNormLowerToCPUPipeline(pm, {});
    if (mlir::failed(pm.run(*module)))
      return "lowering failed:\n" + diagnostics;
    return std::nullopt;
  }
  // Half the cases run their rows as parallel tasks of a few rows each.
  JitOptions jitOptions;
  jitOptions.target = caseTarget;
  jitOptions.parallel = c.parallel;
  jitOptions.minTaskBytes = 2048;
  auto jit = JitModule::compile(*module, "main", jitOptions);
  if (!jit)
    return llvm::toString(jit.takeError());

  // Inputs, rounded to their types; some rows zeroed.
  std::vector<NpyArray> args;
  // LayerNorm inputs are off-center, a quarter of them far off (mean 300,
  // std 1.5), where computing the variance from raw moments would cancel.
  // (Not with a per-feature epsilon: its rows have no 1/std to bound the
  // error by.)
  double mean = 0.0;
  if (c.layer)
    mean = !c.params[2].present && std::bernoulli_distribution(0.25)(rng)
               ? 300.0
               : 2.0;
  std::vector<double> x = randomValues(rng, product(c.shape), mean, 1.5);
  auto canonical = reference::canonicalAxes(c.axes, c.shape.size());
  if (!x.empty() && std::bernoulli_distribution(0.3)(rng)) {
    // Zero one whole row: every element sharing the first element's kept
    // indices.
    std::vector<int64_t> strides(c.shape.size(), 1);
    for (int64_t d = c.shape.size() - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * c.shape[d + 1];
    for (size_t i = 0; i < x.size(); ++i) {
      bool sameRow = true;
      for (size_t d = 0; d < c.shape.size(); ++d)
        if (!llvm::is_contained(canonical, (int64_t)d) &&
            (int64_t(i) / strides[d]) % c.shape[d] != 0)
          sameRow = false;
      if (sameRow)
        x[i] = 0.0;
    }
  }
  args.push_back(fromDoubles(c.inputType, c.shape, x));
  reference::Tensor params[3];
  for (int k = 0; k < 3; ++k) {
    if (!c.params[k].present)
      continue;
    std::vector<double> v =
        k == 2 ? randomValues(rng, product(c.params[k].shape), 0.0, 0.01)
               : randomValues(rng, product(c.params[k].shape), 1.0, 0.5);
    if (k == 2)
      for (double &e : v)
        e = std::fabs(e);
    args.push_back(fromDoubles(c.params[k].type, c.params[k].shape, v));
    params[k] = {c.params[k].shape, toDoubles(args.back())};
  }
  auto results = (*jit)->run(args);
  if (!results)
    return llvm::toString(results.takeError());

  reference::NormOptions options;
  options.kind =
      c.layer ? reference::NormKind::Layer : reference::NormKind::RMS;
  options.axes = c.axes;
  options.epsilon = c.epsilon;
  options.tiny = getTiny(c.computeType);
  for (int k = 0; k < 3; ++k)
    if (c.params[k].present)
      (k == 0   ? options.scale
       : k == 1 ? options.bias
                : options.featureEpsilon) = &params[k];
  reference::NormResult want = reference::normalize(
      reference::Tensor{c.shape, toDoubles(args[0])}, options);

  // The output is stored in the input type after a computation in the
  // compute type, possibly with parameters of a narrower type.
  // Off-center rows: x - mean loses |mean| * eps of the compute type, which
  // the normalization scales by the row's 1/std into the output, and the
  // mean itself carries |mean| * eps.
  double eps = c.computeType == ElementType::F64 ? 0x1p-53 : 0x1p-24;
  double offsetError = 16 * eps * std::fabs(mean);
  double maxInvStd = 0;
  for (double inv : want.invStd.data)
    if (std::isfinite(inv))
      maxInvStd = std::max(maxInvStd, inv);
  Tolerance outputTol = getTolerance(c.inputType, c.computeType);
  outputTol.atol += offsetError * maxInvStd;
  if (auto error = compare("output", (*results)[0], want.output, outputTol))
    return error;
  if (c.statistics) {
    Tolerance tol = getTolerance(c.computeType, c.computeType);
    tol.atol += offsetError;
    if (c.layer) {
      if (auto error = compare("mean", (*results)[1], want.mean, tol))
        return error;
      if (auto error = compare("inv_std", (*results)[2], want.invStd, tol))
        return error;
    } else if (auto error =
                   compare("inv_rms", (*results)[1], want.invStd, tol)) {
      return error;
    }
  }
  return std::nullopt;
}

int runRandom(const Options &options) {
  unsigned failures = 0;
  std::mt19937_64 seeds(options.seed);
  unsigned count = options.caseSeed ? 1 : options.cases;
  for (unsigned i = 0; i < count; ++i) {
    uint64_t caseSeed = options.caseSeed ? options.caseSeed : seeds();
    std::mt19937_64 rng(caseSeed);
    Case c = randomCase(rng);
    if (options.verbose)
      llvm::outs() << "case " << i << " seed " << caseSeed << "\n"
                   << printCase(c);
    if (auto error = runCase(c, rng)) {
      ++failures;
      llvm::outs() << llvm::formatv(
          "FAIL case {0}: {1}\n  replay: norm-differential-test "
          "--case-seed {2}\n{3}",
          i, *error, caseSeed, printCase(c));
    }
  }
  llvm::outs() << llvm::formatv("{0} of {1} cases passed (seed {2})\n",
                                count - failures, count, options.seed);
  return failures ? 1 : 0;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  Options options;
  cl::HideUnrelatedOptions(options.category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Differential test of compiled norm ops "
                              "against the float64 reference\n");
  if (options.target != "cpu" && options.target != "gpu") {
    llvm::errs() << "norm-differential-test: error: unknown --target '"
                 << options.target << "' (expected cpu or gpu)\n";
    return 1;
  }
  caseTarget = options.target == "gpu" ? Target::GPU : Target::CPU;
  prePipeline = options.prePipeline;
  lowerOnly = options.lowerOnly;
  mlir::norm::registerAllPasses();
  return runRandom(options);
}
