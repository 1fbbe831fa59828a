//===- TransformerBlockTest.cpp - The example block against float64 -------===//
//
// JIT-runs examples/transformer_block/{tiny,7b}.mlir (LayerNorm and RMSNorm,
// pre- and post-norm) on random weights (seeded, see TestSeed.h) and
// compares with the float64 reference: max |y - ref| / max |ref| < 1e-4. The
// 7b layer is opt-in (NORM_TEST_7B=1): its float64 reference alone takes
// minutes.
//
//===----------------------------------------------------------------------===//

#include "norm/Reference/TransformerBlock.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"
#include "norm/ExecutionEngine/JitModule.h"
#include "norm/InitAll.h"

#include "TestSeed.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdlib>
#include <ostream>
#include <random>

using namespace norm;

namespace {
struct Config {
  const char *name;
  int64_t seq, dim, hidden, heads;
};

struct BlockCase {
  Config config;
  reference::NormKind kind;
  bool postNorm;
};

std::string getName(const BlockCase &c) {
  return std::string(c.config.name) + "_" +
         (c.kind == reference::NormKind::RMS ? "rms" : "layer") +
         (c.postNorm ? "_post" : "_pre");
}

/// Test names: TransformerBlockTest.MatchesFloat64Reference/tiny_layer_pre.
std::string caseName(const ::testing::TestParamInfo<BlockCase> &info) {
  return getName(info.param);
}

/// What gtest prints for GetParam() (else the case's bytes in hex).
void PrintTo(const BlockCase &c, std::ostream *os) { *os << getName(c); }

class TransformerBlockTest : public ::testing::TestWithParam<BlockCase> {};

TEST_P(TransformerBlockTest, MatchesFloat64Reference) {
  const BlockCase &c = GetParam();
  if (std::string(c.config.name) == "7b" && !std::getenv("NORM_TEST_7B"))
    GTEST_SKIP() << "set NORM_TEST_7B=1 to run the 7b layer";
  int64_t s = c.config.seq, d = c.config.dim, f = c.config.hidden;

  // Weights scaled by 1/sqrt(fan-in) as for training.
  uint64_t seed = getTestSeed(20261122);
  SCOPED_TRACE(describeTestSeed(seed));
  std::mt19937_64 rng(seed);
  std::vector<std::vector<int64_t>> shapes = {{s, d}, {d},    {d},    {d, d},
                                              {d, d}, {d, d}, {d, d}, {d},
                                              {d},    {d, f}, {d, f}, {f, d}};
  std::vector<NpyArray> args;
  std::vector<reference::Tensor> tensors;
  for (auto [i, shape] : llvm::enumerate(shapes)) {
    bool gamma = i == 1 || i == 7;
    double mean = gamma ? 1.0 : 0.0;
    double stddev = shape.size() == 1 ? 0.2
                    : i == 0          ? 1.0
                                      : 1.0 / std::sqrt(shape[0]);
    std::normal_distribution<double> normal(mean, stddev);
    int64_t n = 1;
    for (int64_t dim : shape)
      n *= dim;
    std::vector<double> values(n);
    for (double &v : values)
      v = normal(rng);
    args.push_back(fromDoubles(ElementType::F32, shape, values));
    tensors.push_back({shape, toDoubles(args.back())});
  }

  mlir::DialectRegistry registry;
  mlir::norm::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  std::string path =
      std::string(NORM_EXAMPLES_DIR) + "/" + c.config.name + ".mlir";
  auto module = mlir::parseSourceFile<mlir::ModuleOp>(path, &context);
  ASSERT_TRUE(module) << "cannot parse " << path;
  bool rms = c.kind == reference::NormKind::RMS;
  ASSERT_TRUE(
      mlir::succeeded(mlir::norm::setNormKind(*module, rms ? "rms" : "layer")));
  JitOptions options;
  options.parallel = true;
  auto jit = JitModule::compile(
      *module, c.postNorm ? "block_post_norm" : "block", options);
  ASSERT_TRUE(static_cast<bool>(jit)) << llvm::toString(jit.takeError());
  auto results = (*jit)->run(args);
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());

  reference::BlockWeights weights{
      tensors[0], tensors[1], tensors[2], tensors[3], tensors[4],  tensors[5],
      tensors[6], tensors[7], tensors[8], tensors[9], tensors[10], tensors[11]};
  reference::BlockConfig config;
  config.heads = c.config.heads;
  config.norm = c.kind;
  config.postNorm = c.postNorm;
  reference::Tensor want = reference::transformerBlock(weights, config);
  std::vector<double> got = toDoubles((*results)[0]);
  ASSERT_EQ(got.size(), want.data.size());
  double maxError = 0, maxRef = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    maxError = std::max(maxError, std::fabs(got[i] - want.data[i]));
    maxRef = std::max(maxRef, std::fabs(want.data[i]));
  }
  EXPECT_LT(maxError / maxRef, 1e-4)
      << "max error " << maxError << ", max |ref| " << maxRef;
}

const Config kTiny{"tiny", 80, 128, 256, 8};
const Config k7B{"7b", 128, 4096, 11008, 32};

INSTANTIATE_TEST_SUITE_P(
    Configs, TransformerBlockTest,
    ::testing::Values(BlockCase{kTiny, reference::NormKind::Layer, false},
                      BlockCase{kTiny, reference::NormKind::RMS, false},
                      BlockCase{kTiny, reference::NormKind::Layer, true},
                      BlockCase{kTiny, reference::NormKind::RMS, true},
                      BlockCase{k7B, reference::NormKind::Layer, false},
                      BlockCase{k7B, reference::NormKind::RMS, false},
                      BlockCase{k7B, reference::NormKind::Layer, true},
                      BlockCase{k7B, reference::NormKind::RMS, true}),
    caseName);
} // namespace
