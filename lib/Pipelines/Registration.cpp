//===- Registration.cpp - Register norm's named pipelines -----------------===//

#include "norm/Pipelines/Pipelines.h"

#include "mlir/Pass/PassRegistry.h"

void mlir::norm::registerNormPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "norm-lower-to-cpu",
      "Lower func + norm modules to the LLVM dialect for the host CPU "
      "(rows, linalg, vectorization, bufferization, LLVM)",
      buildNormLowerToCPUPipeline);
}
