//===- IRFuzzer.cpp - libFuzzer target for norm's parse-to-codegen path ---===//
//
// Arbitrary text is parsed and verified; a module that verifies is
// canonicalized and lowered with norm-lower-to-cpu (norm-ir-fuzzer) or
// norm-lower-to-nvvm up to PTX (norm-nvvm-fuzzer, NORM_FUZZ_NVVM). Errors
// are fine; crashes, sanitizer reports and passes that succeed but leave IR
// that no longer verifies are bugs. Each input gets a fresh context so that
// a crash reproduces from its input alone.
//
//===----------------------------------------------------------------------===//

#include "IRMutator.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "norm/InitAll.h"
#include "norm/Pipelines/Pipelines.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <string>

using namespace mlir;

namespace {
/// Aborts when a pass reports success but leaves IR that does not verify:
/// the input verified, so the pass (or a pattern it ran) broke it.
struct VerifyAfterEachPass : public PassInstrumentation {
  void runAfterPass(Pass *pass, Operation *op) override {
    if (succeeded(verify(op)))
      return;
    llvm::errs() << "norm-fuzzer: IR fails to verify after pass '"
                 << pass->getArgument() << "' (" << pass->getName()
                 << ") succeeded\n";
    std::abort();
  }
};
} // namespace

static DialectRegistry *registry;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  norm::registerAllPasses();
  registry = new DialectRegistry;
  norm::registerAllDialects(*registry);
  return 0;
}

static void runPipeline(ModuleOp module) {
  PassManager pm(module->getName());
  // The instrumentation verifies after each pass instead, and says which.
  pm.enableVerifier(false);
  pm.addInstrumentation(std::make_unique<VerifyAfterEachPass>());
  pm.addPass(createCanonicalizerPass());
#ifdef NORM_FUZZ_NVVM
  norm::buildNormLowerToNVVMPipeline(pm, norm::GPUPipelineOptions());
#else
  norm::buildNormLowerToCPUPipeline(pm, norm::CPUPipelineOptions());
#endif
  (void)pm.run(module);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  MLIRContext context(*registry, MLIRContext::Threading::DISABLED);
  // Diagnostics are expected: arbitrary text is mostly invalid.
  ScopedDiagnosticHandler silence(&context,
                                  [](Diagnostic &) { return success(); });
  ParserConfig config(&context);
  // MLIR's lexer finds the end of its buffer at a NUL (as MemoryBuffer
  // guarantees): libFuzzer's bytes have none, a std::string does.
  std::string text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, config);
  if (!module)
    return 0;
  runPipeline(*module);
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size,
                                          size_t maxSize, unsigned seed) {
  return norm::fuzz::mutateIR(data, size, maxSize, seed);
}
