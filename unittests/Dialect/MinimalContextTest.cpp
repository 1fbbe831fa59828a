//===- MinimalContextTest.cpp - Pipelines in a context of the input only --===//
//
// norm's passes load what they need (dependent dialects, the external models
// they use, the gpu.barrier memory effects): a context set up the way any
// MLIR tool sets one up (upstream's dialects, extensions and LLVM IR
// translations, plus the norm dialect), without norm::registerAllDialects,
// lowers norm ops through both pipelines.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/NormDialect.h"
#include "norm/InitAll.h"
#include "norm/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace mlir;

namespace {
// Rows of 8192: a block per row, whose warps combine sums across a
// gpu.barrier.
constexpr const char *kModule = R"mlir(
func.func @main(%x: tensor<4x8192xf32>) -> (tensor<4x8192xf32>, tensor<4x8192xf32>) {
  %y = norm.rms_norm %x : tensor<4x8192xf32> -> tensor<4x8192xf32>
  %z = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8192xf32> -> tensor<4x8192xf32>
  return %y, %z : tensor<4x8192xf32>, tensor<4x8192xf32>
}
)mlir";

/// Parses kModule in a context without norm's registrations and runs
/// `pipeline` (bare, on the module) on it; returns the diagnostics, or the
/// lowered module's text on success.
std::string lowerInMinimalContext(llvm::StringRef pipeline) {
  static bool registered = [] {
    norm::registerAllPasses();
    return true;
  }();
  (void)registered;
  DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<norm::NormDialect>();
  MLIRContext context(registry);
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    os << diag << "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(kModule, &context);
  if (!module)
    return "parse failed: " + diagnostics;
  PassManager pm(&context);
  if (failed(parsePassPipeline(pipeline, pm, os)))
    return "bad pipeline: " + diagnostics;
  if (failed(pm.run(*module)))
    return "lowering failed: " + diagnostics;
  std::string text;
  llvm::raw_string_ostream textStream(text);
  module->print(textStream);
  return text;
}

TEST(MinimalContextTest, LowersToCPU) {
  std::string result = lowerInMinimalContext("norm-lower-to-cpu");
  EXPECT_NE(result.find("llvm.func @main"), std::string::npos) << result;
  EXPECT_EQ(result.find("norm."), std::string::npos) << result;
}

TEST(MinimalContextTest, LowersToNVVM) {
  std::string cuda = norm::resolveCudaPath("");
  if (!llvm::sys::fs::exists(cuda + "/nvvm/libdevice/libdevice.10.bc"))
    GTEST_SKIP() << "no CUDA libdevice under " << cuda;
  std::string result = lowerInMinimalContext("norm-lower-to-nvvm{format=isa}");
  EXPECT_NE(result.find("gpu.binary"), std::string::npos) << result;
  EXPECT_NE(result.find(".visible .entry"), std::string::npos) << result;
}
} // namespace
