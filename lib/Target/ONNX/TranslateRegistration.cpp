//===- TranslateRegistration.cpp - Register --import-onnx -----------------===//

#include "norm/Target/ONNX/ImportONNX.h"

#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

void mlir::norm::registerFromONNXTranslation() {
  // Translation options are registered with their translation, as upstream's
  // --import-llvm does; their defaults are ImportOptions'.
  static llvm::cl::opt<bool> weightsAsArgs(
      "onnx-weights-as-args",
      llvm::cl::desc("With --import-onnx: float initializers become trailing "
                     "function arguments (in initializer order) instead of "
                     "constants"),
      llvm::cl::init(ImportOptions().weightsAsArgs));
  static llvm::cl::opt<bool> noRaise(
      "no-raise",
      llvm::cl::desc("With --import-onnx: skip the post-import pipeline "
                     "(raising decomposed normalizations to norm ops)"),
      llvm::cl::init(!ImportOptions().raise));

  TranslateToMLIRRegistration registration(
      "import-onnx", "Translate an ONNX model (.onnx) to norm/linalg",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        ImportOptions options;
        options.weightsAsArgs = weightsAsArgs;
        options.raise = !noRaise;
        options.fileName = buffer->getBufferIdentifier().str();
        return importONNX(buffer->getBuffer(), context, options);
      },
      registerONNXImportDialects);
}
