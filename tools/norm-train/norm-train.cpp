//===- norm-train.cpp - Train the small language model with JIT code
//-------===//
//
// Compiles the @train_step and @eval_loss of a module written by
// examples/lm/generate.py once, then calls @train_step step after step on
// batches of a character-level corpus: prints a progress line every
// --log-every steps, writes per-step metrics to --csv and a summary to
// --report (JSON), loads and saves weights as .npy. --check-gradients checks
// an f64 module's gradients and update instead (GradientCheck.h).
//
//===----------------------------------------------------------------------===//

#include "Corpus.h"
#include "GradientCheck.h"
#include "Model.h"

#include "norm/InitAll.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <numeric>

using namespace norm;
using namespace norm::train;
namespace cl = llvm::cl;

namespace {
/// Command-line options, local to main so they cannot clash with LLVM's.
struct Options {
  cl::OptionCategory category{"norm-train options"};
  cl::opt<std::string> inputFile{
      cl::Positional, cl::desc("<module from examples/lm/generate.py>"),
      cl::Required, cl::cat(category)};
  cl::opt<std::string> data{"data", cl::desc("Text corpus (bytes)"),
                            cl::value_desc("path"), cl::cat(category)};
  cl::opt<double> valFraction{
      "val-fraction", cl::desc("Held-out share of the corpus (its end)"),
      cl::init(0.1), cl::cat(category)};
  cl::opt<int64_t> steps{"steps", cl::desc("Training steps"), cl::init(1000),
                         cl::cat(category)};
  cl::opt<uint64_t> seed{
      "seed", cl::desc("Seed of the initial weights and of the batches"),
      cl::init(42), cl::cat(category)};
  cl::opt<double> lr{"lr", cl::desc("Peak learning rate"), cl::init(3e-3),
                     cl::cat(category)};
  cl::opt<int64_t> warmup{"warmup",
                          cl::desc("Steps of linear warm-up to --lr, then a "
                                   "cosine decay to --min-lr-ratio * --lr"),
                          cl::init(50), cl::cat(category)};
  cl::opt<double> minLrRatio{"min-lr-ratio", cl::init(0.1),
                             cl::desc("Final learning rate / --lr"),
                             cl::cat(category)};
  cl::opt<int64_t> evalEvery{"eval-every",
                             cl::desc("Validation loss every N steps"),
                             cl::init(25), cl::cat(category)};
  cl::opt<int64_t> evalBatches{
      "eval-batches", cl::desc("Validation batches (fixed) per evaluation"),
      cl::init(8), cl::cat(category)};
  cl::opt<int64_t> logEvery{"log-every",
                            cl::desc("A progress line every N steps"),
                            cl::init(50), cl::cat(category)};
  cl::opt<double> targetLoss{
      "target-loss",
      cl::desc("Report the first step whose validation loss is at most this"),
      cl::init(2.0), cl::cat(category)};
  cl::opt<int64_t> stabilityWindow{
      "stability-window",
      cl::desc("Report the training loss's variance over the last N steps"),
      cl::init(100), cl::cat(category)};
  cl::opt<int> profileRuns{
      "profile-runs",
      cl::desc("Time @train_step, @norms, @matmuls and @transposes alone "
               "after training (median of N interleaved rounds); 0 skips it"),
      cl::init(50), cl::cat(category)};
  cl::opt<std::string> csv{"csv", cl::desc("Per-step metrics (CSV)"),
                           cl::value_desc("path"), cl::cat(category)};
  cl::opt<std::string> report{"report", cl::desc("Summary (JSON)"),
                              cl::value_desc("path"), cl::cat(category)};
  cl::opt<std::string> initFrom{
      "init-from", cl::desc("Initial weights: DIR/<parameter>.npy"),
      cl::value_desc("dir"), cl::cat(category)};
  cl::opt<std::string> saveTo{"save-to",
                              cl::desc("Final weights: DIR/<parameter>.npy"),
                              cl::value_desc("dir"), cl::cat(category)};

  cl::opt<bool> checkGradients{
      "check-gradients",
      cl::desc("Check the f64 module's gradients against central finite "
               "differences and its update against AdamW computed here"),
      cl::cat(category)};
  cl::opt<int64_t> checkCoordinates{
      "check-coordinates",
      cl::desc("Coordinates checked per tensor (all if it has fewer)"),
      cl::init(64), cl::cat(category)};
  cl::opt<double> fdStep{"fd-step", cl::desc("Finite-difference step h"),
                         cl::init(1e-5), cl::cat(category)};
  cl::opt<double> rtol{"rtol", cl::desc("Gradient check: relative tolerance"),
                       cl::init(1e-6), cl::cat(category)};
  cl::opt<double> atol{"atol", cl::desc("Gradient check: absolute tolerance"),
                       cl::init(1e-9), cl::cat(category)};

  cl::opt<bool> parallel{"parallel",
                         cl::desc("Norm rows on all cores (OpenMP, "
                                  "LLVM's libomp)"),
                         cl::init(false), cl::cat(category)};
  cl::opt<unsigned> optLevel{"O", cl::desc("LLVM optimization level"),
                             cl::init(3), cl::cat(category)};
};

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "norm-train") << message << "\n";
  return 1;
}

llvm::Error checkOptions(const Options &o) {
  auto positive = [](llvm::StringRef flag, double value) -> llvm::Error {
    if (!(value > 0))
      return makeError(llvm::formatv("--{0} must be positive", flag));
    return llvm::Error::success();
  };
  for (auto [flag, value] :
       {std::pair<llvm::StringRef, double>{"steps", o.steps},
        {"lr", o.lr},
        {"eval-every", o.evalEvery},
        {"eval-batches", o.evalBatches},
        {"log-every", o.logEvery},
        {"stability-window", o.stabilityWindow},
        {"check-coordinates", o.checkCoordinates},
        {"fd-step", o.fdStep},
        {"rtol", o.rtol},
        {"atol", o.atol}})
    if (llvm::Error error = positive(flag, value))
      return error;
  if (!(o.valFraction > 0 && o.valFraction < 1))
    return makeError("--val-fraction must be between 0 and 1");
  if (o.warmup < 0 || o.warmup >= o.steps)
    return makeError("--warmup must be at least 0 and below --steps");
  if (!(o.minLrRatio >= 0 && o.minLrRatio <= 1))
    return makeError("--min-lr-ratio must be between 0 and 1");
  if (o.profileRuns < 0)
    return makeError("--profile-runs must not be negative");
  if (o.optLevel > 3)
    return makeError("-O must be 0 to 3");
  if (!o.checkGradients && o.data.empty())
    return makeError("--data is required to train (or --check-gradients)");
  return llvm::Error::success();
}

JitOptions getJitOptions(const Options &o) {
  JitOptions options;
  options.parallel = o.parallel;
  options.optLevel = o.optLevel;
  return options;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// Warm-up, then cosine decay.
double learningRate(const Options &o, int64_t step) {
  if (step <= o.warmup)
    return o.lr * step / std::max<int64_t>(o.warmup, 1);
  double progress = double(step - o.warmup) / double(o.steps - o.warmup);
  double cosine = 0.5 * (1 + std::cos(M_PI * progress));
  return o.lr * (o.minLrRatio + (1 - o.minLrRatio) * cosine);
}

double mean(llvm::ArrayRef<double> values) {
  return values.empty() ? 0.0
                        : std::accumulate(values.begin(), values.end(), 0.0) /
                              values.size();
}

double variance(llvm::ArrayRef<double> values) {
  double m = mean(values), sum = 0;
  for (double v : values)
    sum += (v - m) * (v - m);
  return values.empty() ? 0.0 : sum / values.size();
}

/// Gradient statistics of one parameter group at one step.
struct GroupStats {
  double norm = 0, rms = 0, variance = 0;
};

std::vector<GroupStats> groupStats(const ModelInfo &info,
                                   const std::vector<std::string> &groups,
                                   const NpyArray &stats) {
  std::vector<double> values = toDoubles(stats);
  std::vector<GroupStats> result;
  for (const std::string &group : groups) {
    double sum = 0, squares = 0;
    int64_t count = 0;
    for (auto [i, p] : llvm::enumerate(info.params))
      if (p.group == group) {
        sum += values[2 * i];
        squares += values[2 * i + 1];
        count += p.size;
      }
    double m = sum / count;
    result.push_back({std::sqrt(squares), std::sqrt(squares / count),
                      squares / count - m * m});
  }
  return result;
}

/// Training: the compiled entries, the state, the metrics.
class Trainer {
public:
  Trainer(const Options &o, const ModelInfo &info, const Corpus &corpus)
      : o(o), info(info), corpus(corpus), groups(info.getGroups()),
        batchRng(o.seed ^ 0x9e3779b97f4a7c15ull) {}

  llvm::Error run(mlir::ModuleOp module);

private:
  llvm::Error compile(mlir::ModuleOp module);
  llvm::Expected<double> validationLoss();
  llvm::Error step(int64_t s);
  llvm::Error profile();
  llvm::Error writeReport();
  void printSummary();

  const Options &o;
  const ModelInfo &info;
  const Corpus &corpus;
  std::vector<std::string> groups;
  std::mt19937_64 batchRng;
  std::unique_ptr<JitModule> trainStep, evalLoss, norms, matmuls, transposes;
  double compileSeconds = 0;
  std::vector<NpyArray> params, adamM, adamV;
  NpyArray lastBatch;
  std::unique_ptr<llvm::raw_fd_ostream> csv;

  // Metrics.
  std::vector<double> losses, stepSeconds, kernelSeconds, gradNorms;
  std::vector<std::vector<GroupStats>> gradGroups;
  std::vector<std::pair<int64_t, double>> valLosses;
  int64_t clippedSteps = 0;
  double profiledStep = 0, profiledNorms = 0, profiledMatmuls = 0,
         profiledTransposes = 0;
};

llvm::Error Trainer::compile(mlir::ModuleOp module) {
  auto start = std::chrono::steady_clock::now();
  JitOptions options = getJitOptions(o);
  auto compileInto = [&](std::unique_ptr<JitModule> &jit,
                         llvm::StringRef entry) -> llvm::Error {
    auto compiled = compileEntry(module, entry, options);
    if (!compiled)
      return compiled.takeError();
    jit = std::move(*compiled);
    return llvm::Error::success();
  };
  if (llvm::Error error = compileInto(trainStep, "train_step"))
    return error;
  if (llvm::Error error = compileInto(evalLoss, "eval_loss"))
    return error;
  if (o.profileRuns > 0) {
    if (llvm::Error error = compileInto(norms, "norms"))
      return error;
    if (llvm::Error error = compileInto(matmuls, "matmuls"))
      return error;
    if (llvm::Error error = compileInto(transposes, "transposes"))
      return error;
  }
  compileSeconds = secondsSince(start);
  if (trainStep->getResults().size() != 3 * info.params.size() + 3)
    return makeError("@train_step does not return parameters, moments, loss, "
                     "gradient norm and statistics");
  return llvm::Error::success();
}

llvm::Expected<double> Trainer::validationLoss() {
  std::vector<NpyArray> args = params;
  args.emplace_back();
  double sum = 0;
  for (int64_t i = 0; i < o.evalBatches; ++i) {
    args.back() = corpus.valBatch(i, o.evalBatches, info.batch, info.seq);
    auto results = call(*evalLoss, args);
    if (!results)
      return results.takeError();
    sum += scalar((*results)[0]);
  }
  return sum / o.evalBatches;
}

llvm::Error Trainer::step(int64_t s) {
  auto start = std::chrono::steady_clock::now();
  double rate = learningRate(o, s);
  std::vector<NpyArray> args;
  args.reserve(3 * params.size() + 2);
  for (auto *state : {&params, &adamM, &adamV})
    for (NpyArray &array : *state)
      args.push_back(std::move(array));
  lastBatch = corpus.sampleTrainBatch(info.batch, info.seq, batchRng);
  args.push_back(lastBatch);
  args.push_back(fromDoubles(info.type, {3},
                             {rate, 1 / (1 - std::pow(info.beta1, s)),
                              1 / (1 - std::pow(info.beta2, s))}));
  auto call = trainStep->prepare(args);
  if (!call)
    return call.takeError();
  auto kernelStart = std::chrono::steady_clock::now();
  (*call)->invoke();
  kernelSeconds.push_back(secondsSince(kernelStart));
  std::vector<NpyArray> results = (*call)->getResults();
  size_t n = info.params.size();
  for (size_t i = 0; i < n; ++i) {
    params[i] = std::move(results[i]);
    adamM[i] = std::move(results[n + i]);
    adamV[i] = std::move(results[2 * n + i]);
  }
  double loss = scalar(results[3 * n]), gradNorm = scalar(results[3 * n + 1]);
  if (!std::isfinite(loss))
    return makeError(
        llvm::formatv("step {0}: the loss is {1}; lower --lr", s, loss));
  losses.push_back(loss);
  gradNorms.push_back(gradNorm);
  clippedSteps += gradNorm > info.clip;
  gradGroups.push_back(groupStats(info, groups, results[3 * n + 2]));
  stepSeconds.push_back(secondsSince(start));

  std::optional<double> val;
  if (s % o.evalEvery == 0 || s == o.steps) {
    auto v = validationLoss();
    if (!v)
      return v.takeError();
    val = *v;
    valLosses.push_back({s, *v});
  }
  if (csv) {
    *csv << llvm::formatv("{0},{1:e6},{2:f6},{3},{4:f6},{5},{6:f4},{7:f4}", s,
                          rate, loss,
                          val ? llvm::formatv("{0:f6}", *val).str() : "",
                          gradNorm, int(gradNorm > info.clip),
                          stepSeconds.back() * 1e3, kernelSeconds.back() * 1e3);
    for (const GroupStats &g : gradGroups.back())
      *csv << llvm::formatv(",{0:e6},{1:e6}", g.norm, g.variance);
    *csv << "\n";
  }
  if (s % o.logEvery == 0 || s == o.steps) {
    size_t window = std::min<size_t>(o.logEvery, losses.size());
    llvm::ArrayRef<double> recent = llvm::ArrayRef(losses).take_back(window);
    double ms = mean(llvm::ArrayRef(stepSeconds).take_back(window)) * 1e3;
    llvm::outs() << llvm::formatv(
        "[{0}] step {1,5}/{2}  lr {3:e2}  loss {4:f4}  val {5}  |g| {6:f3}  "
        "{7:f1} ms/step  {8:f1}k tok/s\n",
        info.norm, s, o.steps, rate, mean(recent),
        valLosses.empty()
            ? std::string("-")
            : llvm::formatv("{0:f4}", valLosses.back().second).str(),
        gradNorm, ms, info.tokensPerStep() / ms);
    llvm::outs().flush();
  }
  return llvm::Error::success();
}

/// The step and its norms, matmuls and transposes alone, on the trained
/// state, in interleaved rounds so that the machine's load weighs on each
/// alike: their shares are ratios of medians measured together.
llvm::Error Trainer::profile() {
  std::vector<NpyArray> stepArgs;
  for (auto *state : {&params, &adamM, &adamV})
    stepArgs.insert(stepArgs.end(), state->begin(), state->end());
  stepArgs.push_back(lastBatch);
  stepArgs.push_back(fromDoubles(info.type, {3}, {0.0, 1.0, 1.0}));

  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> normal;
  auto randomArray = [&](const std::vector<int64_t> &shape) {
    std::vector<double> values(*getNumElements(shape));
    for (double &v : values)
      v = normal(rng);
    return fromDoubles(info.type, shape, values);
  };
  std::vector<int64_t> activation = {info.tokensPerStep(),
                                     info.params[0].shape[1]};
  std::vector<NpyArray> normArgs = {randomArray(activation),
                                    randomArray(activation)};
  for (auto [p, array] : llvm::zip_equal(info.params, params))
    if (p.group == "norms")
      normArgs.push_back(array);
  std::vector<NpyArray> transposeArgs;
  for (const TensorSpec &spec : transposes->getArguments())
    transposeArgs.push_back(randomArray(
        std::vector<int64_t>(spec.shape.begin(), spec.shape.end())));

  auto seconds =
      timeInterleaved({{trainStep.get(), stepArgs},
                       {norms.get(), normArgs},
                       {matmuls.get(), {fromDoubles(info.type, {1}, {0.5})}},
                       {transposes.get(), transposeArgs}},
                      o.profileRuns);
  if (!seconds)
    return seconds.takeError();
  profiledStep = (*seconds)[0];
  profiledNorms = (*seconds)[1];
  profiledMatmuls = (*seconds)[2];
  profiledTransposes = (*seconds)[3];
  return llvm::Error::success();
}

llvm::Error Trainer::run(mlir::ModuleOp module) {
  if (!o.initFrom.empty()) {
    auto loaded = readParameters(info, o.initFrom);
    if (!loaded)
      return loaded.takeError();
    params = std::move(*loaded);
  } else {
    params = initParameters(info, o.seed);
  }
  if (llvm::Error error = compile(module))
    return error;
  adamM = zerosLike(info);
  adamV = zerosLike(info);
  if (!o.csv.empty()) {
    std::error_code ec;
    csv = std::make_unique<llvm::raw_fd_ostream>(o.csv, ec);
    if (ec)
      return makeError("cannot write " + o.csv + ": " + ec.message());
    *csv << "step,lr,loss,val_loss,grad_norm,clipped,step_ms,kernel_ms";
    for (const std::string &g : groups)
      *csv << ",grad_norm_" << g << ",grad_var_" << g;
    *csv << "\n";
  }
  llvm::outs() << llvm::formatv(
      "[{0}] {1} parameters ({2} in norms), {3} tokens/step, corpus {4} + {5} "
      "tokens (vocabulary {6}), compiled in {7:f1} s\n",
      info.norm, info.countParameters(), info.countParameters("norms"),
      info.tokensPerStep(), corpus.getTrainTokens(), corpus.getValTokens(),
      corpus.getVocabularySize(), compileSeconds);
  auto initial = validationLoss();
  if (!initial)
    return initial.takeError();
  valLosses.push_back({0, *initial});
  for (int64_t s = 1; s <= o.steps; ++s)
    if (llvm::Error error = step(s))
      return error;
  if (csv && csv->has_error())
    return makeError("cannot write " + o.csv);
  if (o.profileRuns > 0)
    if (llvm::Error error = profile())
      return error;
  if (!o.saveTo.empty())
    if (llvm::Error error = writeParameters(info, params, o.saveTo))
      return error;
  printSummary();
  return writeReport();
}

llvm::json::Object summarize(const Options &o, const ModelInfo &info,
                             const Corpus &corpus,
                             llvm::ArrayRef<std::pair<int64_t, double>> val,
                             llvm::ArrayRef<double> losses,
                             llvm::ArrayRef<double> stepSeconds,
                             llvm::ArrayRef<double> kernelSeconds) {
  auto best = std::min_element(val.begin(), val.end(), [](auto a, auto b) {
    return a.second < b.second;
  });
  int64_t toTarget = -1;
  for (auto [s, v] : val)
    if (v <= o.targetLoss) {
      toTarget = s;
      break;
    }
  // The first steps include page faults and warm caches: skip them.
  llvm::ArrayRef<double> steady =
      stepSeconds.drop_front(std::min<size_t>(10, stepSeconds.size() - 1));
  llvm::ArrayRef<double> steadyKernel =
      kernelSeconds.drop_front(std::min<size_t>(10, kernelSeconds.size() - 1));
  double stepTime = mean(steady);
  double stepsPerEpoch = double(corpus.getTrainTokens()) / info.tokensPerStep();
  return llvm::json::Object{
      {"norm", info.norm},
      {"parameters", info.countParameters()},
      {"norm_parameters", info.countParameters("norms")},
      {"tokens_per_step", info.tokensPerStep()},
      {"steps", int64_t(o.steps)},
      {"seed", int64_t(o.seed)},
      {"val_initial", val.front().second},
      {"val_final", val.back().second},
      {"val_best", best->second},
      {"val_best_step", best->first},
      {"train_loss_variance_last", variance(losses.take_back(std::min<size_t>(
                                       o.stabilityWindow, losses.size())))},
      {"stability_window", int64_t(o.stabilityWindow)},
      {"target_loss", double(o.targetLoss)},
      {"steps_to_target", toTarget},
      {"step_ms", stepTime * 1e3},
      {"kernel_ms", mean(steadyKernel) * 1e3},
      {"tokens_per_second", info.tokensPerStep() / stepTime},
      {"epoch_seconds", stepsPerEpoch * stepTime},
      {"steps_per_epoch", stepsPerEpoch},
  };
}

void Trainer::printSummary() {
  llvm::json::Object s =
      summarize(o, info, corpus, valLosses, losses, stepSeconds, kernelSeconds);
  llvm::outs() << llvm::formatv(
      "[{0}] validation loss {1:f4} -> {2:f4} (best {3:f4} at step {4}); "
      "{5:f2} ms/step ({6:f2} ms in the compiled step), {7:f0} tokens/s; "
      "{8} of {9} steps clipped\n",
      info.norm, *s.getNumber("val_initial"), *s.getNumber("val_final"),
      *s.getNumber("val_best"), *s.getInteger("val_best_step"),
      *s.getNumber("step_ms"), *s.getNumber("kernel_ms"),
      *s.getNumber("tokens_per_second"), clippedSteps, o.steps);
  if (o.profileRuns > 0)
    llvm::outs() << llvm::formatv(
        "[{0}] alone: step {1:f2} ms, its norms {2:f3} ms ({3:f1}%), its "
        "matmuls {4:f2} ms ({5:f1}%, {6:f1} GFLOP/s), its transposes {7:f2} "
        "ms ({8:f1}%)\n",
        info.norm, profiledStep * 1e3, profiledNorms * 1e3,
        100 * profiledNorms / profiledStep, profiledMatmuls * 1e3,
        100 * profiledMatmuls / profiledStep,
        info.matmulFlops / profiledMatmuls * 1e-9, profiledTransposes * 1e3,
        100 * profiledTransposes / profiledStep);
}

llvm::Error Trainer::writeReport() {
  if (o.report.empty())
    return llvm::Error::success();
  llvm::json::Object s =
      summarize(o, info, corpus, valLosses, losses, stepSeconds, kernelSeconds);
  s["compile_seconds"] = compileSeconds;
  s["clipped_steps"] = clippedSteps;
  s["grad_norm_mean"] = mean(gradNorms);
  s["matmul_flops_per_step"] = info.matmulFlops;
  if (o.profileRuns > 0) {
    s["profiled_step_ms"] = profiledStep * 1e3;
    s["profiled_norms_ms"] = profiledNorms * 1e3;
    s["profiled_matmuls_ms"] = profiledMatmuls * 1e3;
    s["profiled_transposes_ms"] = profiledTransposes * 1e3;
  }
  llvm::json::Object byGroup;
  for (auto [g, name] : llvm::enumerate(groups)) {
    std::vector<double> norm, rms, var;
    for (const auto &step : gradGroups) {
      norm.push_back(step[g].norm);
      rms.push_back(step[g].rms);
      var.push_back(step[g].variance);
    }
    byGroup[name] = llvm::json::Object{
        {"parameters", info.countParameters(name)},
        {"grad_norm_mean", mean(norm)},
        {"grad_norm_variance", variance(norm)},
        {"grad_rms_mean", mean(rms)},
        {"grad_variance_mean", mean(var)},
    };
  }
  s["groups"] = std::move(byGroup);
  std::error_code ec;
  llvm::raw_fd_ostream os(o.report, ec);
  if (ec)
    return makeError("cannot write " + o.report + ": " + ec.message());
  os << llvm::formatv("{0:2}\n", llvm::json::Value(std::move(s)));
  if (os.has_error())
    return makeError("cannot write " + o.report);
  return llvm::Error::success();
}

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
parseInput(llvm::StringRef path, llvm::SourceMgr &sourceMgr,
           mlir::MLIRContext &context) {
  std::string openError;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      norm::parseModuleFile(path, sourceMgr, context, openError);
  if (!module)
    return makeError(openError.empty() ? "cannot parse " + path.str()
                                       : openError);
  return module;
}

llvm::Error run(const Options &o) {
  if (llvm::Error error = checkOptions(o))
    return error;
  // Each step reuses the memory the previous one freed.
  norm::reuseFreedMemory();
  mlir::DialectRegistry registry;
  mlir::norm::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  auto module = parseInput(o.inputFile, sourceMgr, context);
  if (!module)
    return module.takeError();
  auto info = readModelInfo(**module);
  if (!info)
    return makeError(o.inputFile + ": " + llvm::toString(info.takeError()));
  if (o.checkGradients) {
    GradientCheckOptions options;
    options.seed = o.seed;
    options.maxCoordinates = o.checkCoordinates;
    options.step = o.fdStep;
    options.rtol = o.rtol;
    options.atol = o.atol;
    return checkGradients(**module, *info, getJitOptions(o), options,
                          llvm::outs());
  }
  if (info->type != ElementType::F32)
    return makeError("training runs f32 modules (examples/lm/train-*.mlir); "
                     "f64 modules are for --check-gradients");
  auto corpus = Corpus::load(o.data, info->vocab, info->seq, o.valFraction);
  if (!corpus)
    return corpus.takeError();
  Trainer trainer(o, *info, *corpus);
  return trainer.run(**module);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  Options options;
  cl::HideUnrelatedOptions(options.category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "norm-train: train the language model of examples/lm with JIT-compiled "
      "steps, or check its gradients\n");
  int status = 0;
  llvm::handleAllErrors(run(options), [&](const llvm::ErrorInfoBase &error) {
    status = fail(error.message());
  });
  return status;
}
