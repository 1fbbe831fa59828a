//===- Registration.cpp - Register norm's named pipelines -----------------===//

#include "norm/Pipelines/Pipelines.h"

#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

/// Registers `build` like PassPipelineRegistration<Options> does, but with
/// `validate` run on the parsed options: an invalid option is a pipeline
/// parsing error, reported before anything runs.
template <typename Options>
static void
registerValidatedPipeline(StringRef name, StringRef description,
                          void (*build)(OpPassManager &, const Options &),
                          llvm::Error (*validate)(const Options &)) {
  registerPassPipeline(
      name, description,
      [=](OpPassManager &pm, StringRef text,
          function_ref<LogicalResult(const Twine &)> errorHandler) {
        Options options;
        if (failed(options.parseFromString(text)))
          return failure();
        if (llvm::Error error = validate(options))
          return errorHandler(llvm::toString(std::move(error)));
        build(pm, options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optHandler) {
        optHandler(Options());
      });
}

void mlir::norm::registerNormPipelines() {
  registerValidatedPipeline<CPUPipelineOptions>(
      "norm-lower-to-cpu",
      "Lower func + norm modules to the LLVM dialect for the host CPU "
      "(rows, linalg, vectorization, bufferization, LLVM)",
      buildNormLowerToCPUPipeline, validateCPUPipelineOptions);
  registerValidatedPipeline<GPUPipelineOptions>(
      "norm-lower-to-nvvm",
      "Lower func + norm modules for NVIDIA GPUs: row-parallel norm kernels, "
      "other ops as mapped parallel loops, device buffers, NVVM/PTX in a "
      "gpu.binary, host code in the LLVM dialect",
      buildNormLowerToNVVMPipeline, validateGPUPipelineOptions);
}
