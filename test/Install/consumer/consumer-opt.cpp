//===- consumer-opt.cpp - Another project's mlir-opt, with norm in it -----===//
//
// What a project that uses the installed norm package writes: its own
// *-opt registers upstream MLIR's dialects and passes, then norm's dialect,
// passes and pipelines, each from its library (see CMakeLists.txt).
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/NormDialect.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"
#include "norm/Pipelines/Pipelines.h"
#include "norm/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<mlir::norm::NormDialect>();

  mlir::registerAllPasses();
  mlir::norm::registerNormDialectPasses();
  mlir::norm::registerNormCodegenPasses();
  mlir::norm::registerNormConversionPasses();
  mlir::norm::registerNormPipelines();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "a project's optimizer driver with norm in it\n", registry));
}
