//===- ImportONNX.h - Import ONNX models as norm/linalg IR ------*- C++ -*-===//
//
// Turns a serialized ONNX ModelProto into a module holding one func.func in
// the norm dialect (LayerNormalization, RMSNormalization) and
// linalg/tensor/arith/math (everything else).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TARGET_ONNX_IMPORTONNX_H
#define NORM_TARGET_ONNX_IMPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace mlir::norm {

struct ImportOptions {
  /// Float initializers become trailing function arguments (in initializer
  /// order, named by `onnx.name`) instead of constants. Integer initializers
  /// stay constants: they give shapes, axes and indices.
  bool weightsAsArgs = false;
  /// Run the default post-import pipeline (raising decomposed normalizations
  /// back to norm ops); when false, only verify.
  bool raise = true;
  /// Names the model in locations (usually its file name).
  std::string fileName = "<onnx>";
};

/// Imports the serialized ModelProto in `bytes`. Returns null after emitting
/// diagnostics when the bytes are not an ONNX model or the graph uses what
/// the importer does not support.
OwningOpRef<ModuleOp> importONNX(llvm::StringRef bytes, MLIRContext *context,
                                 const ImportOptions &options);

/// The pipeline run on an imported module unless `--no-raise` is given.
LogicalResult runPostImportPasses(ModuleOp module,
                                  const ImportOptions &options);

/// Registers the dialects the importer produces.
void registerONNXImportDialects(DialectRegistry &registry);

/// Registers `--import-onnx` (with `--onnx-weights-as-args` and
/// `--no-raise`) for mlir-translate-style tools.
void registerFromONNXTranslation();

} // namespace mlir::norm

#endif // NORM_TARGET_ONNX_IMPORTONNX_H
