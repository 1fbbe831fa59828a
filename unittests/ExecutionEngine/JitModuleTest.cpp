//===- JitModuleTest.cpp - Compiling and calling modules from C++ ---------===//

#include "norm/ExecutionEngine/JitModule.h"
#include "norm/ExecutionEngine/MemRefDescriptors.h"
#include "norm/InitAll.h"
#include "norm/Reference/Reference.h"

#include "TestSeed.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace norm;

namespace {
class JitModuleTest : public ::testing::Test {
protected:
  JitModuleTest() {
    mlir::DialectRegistry registry;
    mlir::norm::registerAllDialects(registry);
    context.appendDialectRegistry(registry);
  }

  std::unique_ptr<JitModule> compile(llvm::StringRef source,
                                     llvm::StringRef entry = "main") {
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    EXPECT_TRUE(module);
    auto jit = JitModule::compile(*module, entry);
    if (!jit) {
      ADD_FAILURE() << llvm::toString(jit.takeError());
      return nullptr;
    }
    return std::move(*jit);
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

constexpr llvm::StringLiteral kRMS = R"mlir(
func.func @main(%x: tensor<?x256xf32>, %g: tensor<256xf32>) -> tensor<?x256xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<256xf32>) : tensor<?x256xf32> -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}
)mlir";

// Descriptors of run-time rank lie where the C interface's result struct
// puts upstream's StridedMemRefType members.
TEST(MemRefDescriptorsTest, MatchesTheResultStructLayout) {
  struct Results {
    StridedMemRefType<uint8_t, 2> first;
    StridedMemRefType<uint8_t, 0> second;
    StridedMemRefType<uint8_t, 3> third;
  };
  MemRefDescriptors descriptors({2, 0, 3});
  uint8_t a[1], b[1];
  descriptors.setRowMajor(0, a, {4, 5});
  descriptors.setRowMajor(1, b, {});
  descriptors.setRowMajor(2, a, {2, 3, 7});
  auto *results = static_cast<Results *>(descriptors.data());
  EXPECT_EQ(results->first.data, a);
  EXPECT_EQ(results->first.sizes[1], 5);
  EXPECT_EQ(results->first.strides[0], 5);
  EXPECT_EQ(results->second.basePtr, b);
  EXPECT_EQ(results->third.data, a);
  EXPECT_EQ(results->third.offset, 0);
  EXPECT_EQ(results->third.sizes[2], 7);
  EXPECT_EQ(results->third.strides[0], 21);
  EXPECT_EQ(results->third.strides[2], 1);
  EXPECT_EQ(descriptors.getSizes(2), llvm::ArrayRef<int64_t>({2, 3, 7}));
  EXPECT_EQ(descriptors.view(2).strides[1], 7);
}

TEST_F(JitModuleTest, MatchesReferenceOnRandomData) {
  auto jit = compile(kRMS);
  ASSERT_TRUE(jit);
  ASSERT_EQ(jit->getArguments().size(), 2u);
  uint64_t seed = getTestSeed(20261129);
  SCOPED_TRACE(describeTestSeed(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> x(37 * 256), g(256);
  for (double &v : x)
    v = normal(rng);
  for (double &v : g)
    v = normal(rng);
  NpyArray xa = fromDoubles(ElementType::F32, {37, 256}, x);
  NpyArray ga = fromDoubles(ElementType::F32, {256}, g);
  auto results = jit->run({xa, ga});
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());
  ASSERT_EQ(results->size(), 1u);

  reference::Tensor scale{{256}, toDoubles(ga)};
  reference::NormOptions options;
  options.scale = &scale;
  reference::NormResult want =
      reference::normalize({{37, 256}, toDoubles(xa)}, options);
  std::vector<double> got = toDoubles((*results)[0]);
  ASSERT_EQ(got.size(), want.output.data.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want.output.data[i],
                1e-5 + 1e-5 * std::fabs(want.output.data[i]))
        << "at " << i;
}

TEST_F(JitModuleTest, RepeatedCallsReuseArguments) {
  auto jit = compile(kRMS);
  ASSERT_TRUE(jit);
  NpyArray x =
      fromDoubles(ElementType::F32, {2, 256}, std::vector<double>(512, 2.0));
  NpyArray g =
      fromDoubles(ElementType::F32, {256}, std::vector<double>(256, 3.0));
  auto call = jit->prepare({x, g});
  ASSERT_TRUE(static_cast<bool>(call));
  for (int i = 0; i < 3; ++i)
    (*call)->invoke();
  std::vector<double> y = toDoubles((*call)->getResults()[0]);
  for (double v : y)
    EXPECT_NEAR(v, 3.0, 1e-6); // x / rms(x) = 1, times 3
  // 2x256 inputs + 256 scale + 2x256 outputs, 4 bytes each.
  EXPECT_EQ((*call)->getBytesMoved(), (512 + 256 + 512) * 4u);
}

TEST_F(JitModuleTest, RejectsMismatchedArguments) {
  auto jit = compile(kRMS);
  ASSERT_TRUE(jit);
  NpyArray x =
      fromDoubles(ElementType::F32, {2, 255}, std::vector<double>(510, 1.0));
  NpyArray g =
      fromDoubles(ElementType::F16, {256}, std::vector<double>(256, 1.0));
  auto wrongShape = jit->prepare({x, g});
  ASSERT_FALSE(static_cast<bool>(wrongShape));
  EXPECT_EQ(llvm::toString(wrongShape.takeError()),
            "argument #0 expects shape [?, 256] (tensor<?x256xf32>), got "
            "[2, 255]");
  NpyArray x2 =
      fromDoubles(ElementType::F32, {2, 256}, std::vector<double>(512, 1.0));
  auto wrongType = jit->prepare({x2, g});
  ASSERT_FALSE(static_cast<bool>(wrongType));
  EXPECT_EQ(llvm::toString(wrongType.takeError()),
            "argument #1 expects element type f32 (tensor<256xf32>), got f16");
  auto wrongCount = jit->prepare({x2});
  ASSERT_FALSE(static_cast<bool>(wrongCount));
  EXPECT_EQ(llvm::toString(wrongCount.takeError()),
            "the entry takes 2 argument(s), 1 given");
}

TEST_F(JitModuleTest, UnknownEntryNamesTheFunctions) {
  module = mlir::parseSourceString<mlir::ModuleOp>(kRMS, &context);
  auto jit = JitModule::compile(*module, "nope");
  ASSERT_FALSE(static_cast<bool>(jit));
  EXPECT_EQ(llvm::toString(jit.takeError()),
            "no function @nope to run in the module (functions: @main)");
}
} // namespace
