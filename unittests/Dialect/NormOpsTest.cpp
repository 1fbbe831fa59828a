//===- NormOpsTest.cpp - Building and verifying norm ops from C++ ---------===//

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"
#include "norm/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::norm;

namespace {
class NormOpsTest : public ::testing::Test {
protected:
  NormOpsTest() : context(makeRegistry()), builder(&context) {
    context.loadAllAvailableDialects();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
    // Collect diagnostics instead of printing them.
    handler = std::make_unique<ScopedDiagnosticHandler>(
        &context, [this](Diagnostic &diag) {
          messages.push_back(diag.str());
          return success();
        });
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    registerAllDialects(registry);
    return registry;
  }

  /// A function whose arguments have `types`; returns its arguments.
  SmallVector<Value> arguments(ArrayRef<Type> types) {
    auto func = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                     builder.getFunctionType(types, {}));
    Block *body = func.addEntryBlock();
    builder.setInsertionPointToStart(body);
    return SmallVector<Value>(body->getArguments());
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape, Type element) {
    return RankedTensorType::get(shape, element);
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  std::unique_ptr<ScopedDiagnosticHandler> handler;
  std::vector<std::string> messages;
};

TEST_F(NormOpsTest, BuildsEveryFormInOneCall) {
  Type bf16 = builder.getBF16Type(), f32 = builder.getF32Type();
  auto args =
      arguments({tensor({ShapedType::kDynamic, 8, 64}, bf16), tensor({64}, f32),
                 tensor({1}, bf16), tensor({8, 64}, f32)});
  Location loc = builder.getUnknownLoc();

  auto rms = RMSNormOp::create(builder, loc, args[0], {-1}, 1e-6, args[1],
                               args[2], Value(), /*withStatistics=*/true);
  EXPECT_TRUE(succeeded(verify(rms)));
  ASSERT_EQ(rms->getNumResults(), 2u);
  EXPECT_EQ(rms.getOutput().getType(), args[0].getType());
  EXPECT_EQ(rms.getInvRms().getType(),
            tensor({ShapedType::kDynamic, 8, 1}, f32));

  auto layer = LayerNormOp::create(
      builder, loc, args[0], {1, 2}, 1e-5, args[3], Value(), Value(),
      /*withStatistics=*/true, builder.getF64Type());
  EXPECT_TRUE(succeeded(verify(layer)));
  EXPECT_EQ(layer.getMean().getType(),
            tensor({ShapedType::kDynamic, 1, 1}, builder.getF64Type()));
  EXPECT_EQ(layer.getInvStd().getType(), layer.getMean().getType());
  EXPECT_EQ(layer.getEffectiveComputeType(), builder.getF64Type());

  auto plain = LayerNormOp::create(builder, loc, args[0], {-1}, 1e-5, Value(),
                                   Value(), args[1]);
  EXPECT_TRUE(succeeded(verify(plain)));
  EXPECT_FALSE(plain.getMean());
  EXPECT_EQ(plain.getEffectiveComputeType(), f32);
  EXPECT_TRUE(messages.empty());
}

TEST_F(NormOpsTest, VerifierRejectsBadForms) {
  Type f32 = builder.getF32Type();
  auto args = arguments({tensor({4, 8}, f32), tensor({4}, f32)});
  Location loc = builder.getUnknownLoc();

  auto badAxis = RMSNormOp::create(builder, loc, args[0], {2}, 1e-6);
  EXPECT_TRUE(failed(verify(badAxis)));
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.back(), "'norm.rms_norm' op expects axes in [-2, 2) "
                             "for an input of rank 2, got 2");

  auto badScale =
      LayerNormOp::create(builder, loc, args[0], {-1}, 1e-5, args[1]);
  EXPECT_TRUE(failed(verify(badScale)));
  EXPECT_EQ(messages.back(), "'norm.layer_norm' op expects dim 0 of 'scale' "
                             "to be 1 or 8 (input dim 1), got 4");

  auto statsWithEpsilon = RMSNormOp::create(builder, loc, args[0], {0}, 1e-6,
                                            Value(), Value(), args[1], true);
  EXPECT_TRUE(failed(verify(statsWithEpsilon)));
  EXPECT_EQ(messages.back(),
            "'norm.rms_norm' op expects no statistics results with "
            "'feature_epsilon': no per-row statistic exists");

  auto negativeEpsilon = RMSNormOp::create(builder, loc, args[0], {0}, -1.0);
  EXPECT_TRUE(failed(verify(negativeEpsilon)));
  EXPECT_EQ(messages.back(), "'norm.rms_norm' op expects a finite, "
                             "non-negative epsilon, got -1.000000e+00");
}

TEST(CanonicalizeAxes, WrapsSortsAndRejects) {
  EXPECT_EQ(*canonicalizeAxes({-1, 0}, 3), (SmallVector<int64_t>{0, 2}));
  EXPECT_EQ(*canonicalizeAxes({2, -3, 1}, 3), (SmallVector<int64_t>{0, 1, 2}));
  EXPECT_TRUE(failed(canonicalizeAxes({3}, 3)));
  EXPECT_TRUE(failed(canonicalizeAxes({-4}, 3)));
  EXPECT_TRUE(failed(canonicalizeAxes({1, -2}, 3)));
  EXPECT_EQ(getStatisticsShape({5, 6, 7}, {0, 2}),
            (SmallVector<int64_t>{1, 6, 1}));
}

TEST_F(NormOpsTest, ParameterCountAndKindSwitch) {
  Type f32 = builder.getF32Type();
  auto args = arguments(
      {tensor({80, 128}, f32), tensor({128}, f32), tensor({128}, f32)});
  Location loc = builder.getUnknownLoc();
  auto first =
      LayerNormOp::create(builder, loc, args[0], {-1}, 1e-5, args[1], args[2]);
  auto second = LayerNormOp::create(builder, loc, first.getOutput(), {-1}, 1e-5,
                                    args[1], args[2]);
  (void)second;
  // Shared gamma and beta count once: 2 * 128.
  NormParameterCount count = countNormParameters(*module);
  ASSERT_EQ(count.ops.size(), 2u);
  EXPECT_EQ(count.ops[0].total(), 256);
  EXPECT_EQ(count.total, 256);

  func::ReturnOp::create(builder, loc);
  ASSERT_TRUE(succeeded(setNormKind(*module, "rms")));
  count = countNormParameters(*module);
  EXPECT_EQ(count.ops[0].total(), 128);
  EXPECT_EQ(count.ops[0].bias, 0);
  EXPECT_TRUE(succeeded(verify(*module)));
  EXPECT_TRUE(failed(setNormKind(*module, "batch")));
}
} // namespace
