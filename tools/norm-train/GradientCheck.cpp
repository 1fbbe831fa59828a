//===- GradientCheck.cpp - Gradients against finite differences -----------===//

#include "GradientCheck.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace norm;
using namespace norm::train;

static double *elements(NpyArray &array) {
  return reinterpret_cast<double *>(array.data.data());
}
static const double *elements(const NpyArray &array) {
  return reinterpret_cast<const double *>(array.data.data());
}

/// Parameters where a trained model could be: every tensor, the norms'
/// ones and zeros too, moved off its initial value, so that no gradient
/// term vanishes by symmetry.
static std::vector<NpyArray> drawParameters(const ModelInfo &info,
                                            std::mt19937_64 &rng) {
  std::vector<NpyArray> params = initParameters(info, rng());
  std::normal_distribution<double> noise(0.0, 0.3);
  for (NpyArray &p : params)
    for (int64_t i = 0; i < p.numElements(); ++i)
      elements(p)[i] += noise(rng);
  return params;
}

static NpyArray drawTokens(const ModelInfo &info, std::mt19937_64 &rng) {
  NpyArray tokens;
  tokens.type = ElementType::I32;
  tokens.shape = {info.batch, info.seq + 1};
  tokens.data.resize(tokens.numElements() * sizeof(int32_t));
  std::uniform_int_distribution<int32_t> id(0, info.vocab - 1);
  for (int64_t i = 0; i < tokens.numElements(); ++i)
    reinterpret_cast<int32_t *>(tokens.data.data())[i] = id(rng);
  return tokens;
}

static std::vector<int64_t> pickCoordinates(int64_t size, int64_t max,
                                            std::mt19937_64 &rng) {
  std::vector<int64_t> all(size);
  std::iota(all.begin(), all.end(), 0);
  if (size <= max)
    return all;
  std::shuffle(all.begin(), all.end(), rng);
  all.resize(max);
  std::sort(all.begin(), all.end());
  return all;
}

namespace {
struct Worst {
  double absError = 0, relError = 0;
  bool failed = false;
};
} // namespace

/// Compares the gradients; returns the number of failing tensors.
static llvm::Expected<int>
compareWithDifferences(const ModelInfo &info, const JitModule &evalLoss,
                       std::vector<NpyArray> args,
                       llvm::ArrayRef<NpyArray> grads,
                       const GradientCheckOptions &options,
                       std::mt19937_64 &rng, llvm::raw_ostream &os) {
  int failures = 0;
  Worst overall;
  std::string overallName;
  for (auto [index, p] : llvm::enumerate(info.params)) {
    Worst worst;
    std::vector<int64_t> coords =
        pickCoordinates(p.size, options.maxCoordinates, rng);
    for (int64_t c : coords) {
      double saved = elements(args[index])[c];
      double loss[2];
      for (int side = 0; side < 2; ++side) {
        elements(args[index])[c] =
            saved + (side ? -options.step : options.step);
        auto results = call(evalLoss, args);
        if (!results)
          return results.takeError();
        loss[side] = scalar((*results)[0]);
      }
      elements(args[index])[c] = saved;
      double fd = (loss[0] - loss[1]) / (2 * options.step);
      double g = elements(grads[index])[c];
      double abs = std::fabs(g - fd);
      worst.absError = std::max(worst.absError, abs);
      worst.relError =
          std::max(worst.relError, abs / std::max(std::fabs(fd), options.atol));
      if (!(abs <= options.atol + options.rtol * std::fabs(fd)))
        worst.failed = true;
    }
    failures += worst.failed;
    if (worst.relError >= overall.relError) {
      overall = worst;
      overallName = p.name;
    }
    os << llvm::format("  %-18s %5lld/%-5lld  max |g - fd| %.2e  max rel "
                       "%.2e  %s\n",
                       p.name.c_str(), (long long)coords.size(),
                       (long long)p.size, worst.absError, worst.relError,
                       worst.failed ? "FAIL" : "ok");
  }
  os << llvm::format("  worst: %s, relative error %.2e\n", overallName.c_str(),
                     overall.relError);
  return failures;
}

/// @train_step from moments drawn at random, at step 3, against the same
/// clipping and AdamW computed here from @loss_and_grads's gradients.
static llvm::Expected<double>
checkUpdate(const ModelInfo &info, const JitModule &trainStep,
            llvm::ArrayRef<NpyArray> params, const NpyArray &tokens,
            llvm::ArrayRef<NpyArray> grads, double loss, std::mt19937_64 &rng) {
  size_t n = info.params.size();
  std::vector<NpyArray> m = zerosLike(info), v = zerosLike(info);
  std::normal_distribution<double> noise(0.0, 0.01);
  for (size_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < info.params[i].size; ++j) {
      elements(m[i])[j] = noise(rng);
      elements(v[i])[j] = noise(rng) * noise(rng);
    }
  const int step = 3;
  const double lr = 0.01;
  double bc1 = 1 / (1 - std::pow(info.beta1, step));
  double bc2 = 1 / (1 - std::pow(info.beta2, step));
  std::vector<NpyArray> args(params.begin(), params.end());
  args.insert(args.end(), m.begin(), m.end());
  args.insert(args.end(), v.begin(), v.end());
  args.push_back(tokens);
  args.push_back(fromDoubles(ElementType::F64, {3}, {lr, bc1, bc2}));
  auto results = call(trainStep, args);
  if (!results)
    return results.takeError();

  double sumSquares = 0;
  for (size_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < info.params[i].size; ++j)
      sumSquares += elements(grads[i])[j] * elements(grads[i])[j];
  double gradNorm = std::sqrt(sumSquares);
  double clipScale = std::min(1.0, info.clip / (gradNorm + 1e-6));
  double worst = 0;
  auto compare = [&](double got, double want) {
    worst = std::max(worst,
                     std::fabs(got - want) / std::max(std::fabs(want), 1e-12));
  };
  compare(scalar((*results)[3 * n]), loss);
  compare(scalar((*results)[3 * n + 1]), gradNorm);
  for (size_t i = 0; i < n; ++i) {
    bool decay = info.params[i].shape.size() == 2;
    double sum = 0, squares = 0;
    for (int64_t j = 0; j < info.params[i].size; ++j) {
      double g = elements(grads[i])[j] * clipScale;
      double p = elements(params[i])[j];
      double mNew = info.beta1 * elements(m[i])[j] + (1 - info.beta1) * g;
      double vNew = info.beta2 * elements(v[i])[j] + (1 - info.beta2) * g * g;
      double update = mNew * bc1 / (std::sqrt(vNew * bc2) + info.adamEps) +
                      (decay ? info.weightDecay * p : 0.0);
      compare(elements((*results)[i])[j], p - lr * update);
      compare(elements((*results)[n + i])[j], mNew);
      compare(elements((*results)[2 * n + i])[j], vNew);
      sum += elements(grads[i])[j];
      squares += elements(grads[i])[j] * elements(grads[i])[j];
    }
    const double *stats = elements((*results)[3 * n + 2]);
    compare(stats[2 * i] + 1, sum + 1); // sums near 0: compare offset by 1
    compare(stats[2 * i + 1], squares);
  }
  return worst;
}

llvm::Error norm::train::checkGradients(mlir::ModuleOp module,
                                        const ModelInfo &info,
                                        const JitOptions &jitOptions,
                                        const GradientCheckOptions &options,
                                        llvm::raw_ostream &os) {
  if (info.type != ElementType::F64)
    return makeError("--check-gradients needs an f64 module (such as "
                     "examples/lm/check-rms.mlir): finite differences of f32 "
                     "losses are too coarse to judge gradients by");
  auto lossAndGrads = compileEntry(module, "loss_and_grads", jitOptions);
  if (!lossAndGrads)
    return lossAndGrads.takeError();
  auto evalLoss = compileEntry(module, "eval_loss", jitOptions);
  if (!evalLoss)
    return evalLoss.takeError();
  auto trainStep = compileEntry(module, "train_step", jitOptions);
  if (!trainStep)
    return trainStep.takeError();
  size_t n = info.params.size();
  if ((*lossAndGrads)->getResults().size() != n + 1)
    return makeError(llvm::formatv("@loss_and_grads returns {0} results, "
                                   "expected the loss and {1} gradients",
                                   (*lossAndGrads)->getResults().size(), n));
  if ((*trainStep)->getResults().size() != 3 * n + 3)
    return makeError("@train_step does not return parameters, moments, loss, "
                     "gradient norm and statistics");

  std::mt19937_64 rng(options.seed);
  std::vector<NpyArray> args = drawParameters(info, rng);
  NpyArray tokens = drawTokens(info, rng);
  args.push_back(tokens);
  auto results = call(**lossAndGrads, args);
  if (!results)
    return results.takeError();
  double loss = scalar((*results)[0]);
  std::vector<NpyArray> grads(results->begin() + 1, results->end());

  os << llvm::formatv("gradient check of {0} ({1} norm, f64, {2} parameter "
                      "tensors, {3} parameters): loss {4:f6}\n",
                      "@loss_and_grads", info.norm, n, info.countParameters(),
                      loss);
  os << llvm::format("central differences, h = %g; a coordinate passes when "
                     "|g - fd| <= %g + %g |fd|\n",
                     options.step, options.atol, options.rtol);
  auto failures =
      compareWithDifferences(info, **evalLoss, args, grads, options, rng, os);
  if (!failures)
    return failures.takeError();

  args.pop_back();
  auto updateError =
      checkUpdate(info, **trainStep, args, tokens, grads, loss, rng);
  if (!updateError)
    return updateError.takeError();
  const double updateTolerance = 1e-9;
  bool updateFailed = !(*updateError <= updateTolerance);
  os << llvm::format("update check (@train_step: loss, gradient norm and "
                     "statistics, clipping, AdamW): max rel error %.2e "
                     "(tolerance %g)  %s\n",
                     *updateError, updateTolerance,
                     updateFailed ? "FAIL" : "ok");
  if (*failures || updateFailed)
    return makeError(
        llvm::formatv("gradient check failed: {0} of {1} parameter tensors{2}",
                      *failures, n, updateFailed ? ", and the update" : ""));
  os << "gradient check passed\n";
  return llvm::Error::success();
}
