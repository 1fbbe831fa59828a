//===- norm-translate.cpp - mlir-translate with norm's importers ----------===//
//
// `norm-translate --import-onnx model.onnx -o model.mlir`.
//
//===----------------------------------------------------------------------===//

#include "norm/Target/ONNX/ImportONNX.h"

#include "mlir/Support/LogicalResult.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::norm::registerFromONNXTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "norm translation driver\n"));
}
