//===- norm-opt.cpp - mlir-opt with the norm dialect and passes -----------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "norm/InitAll.h"

int main(int argc, char **argv) {
  mlir::norm::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::norm::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv,
      "norm optimizer driver: the norm dialect, its passes and "
      "pipelines, and upstream MLIR\n",
      registry));
}
