//===- Registration.cpp - Register norm's named pipelines -----------------===//

#include "norm/Pipelines/Pipelines.h"

#include "mlir/Pass/PassRegistry.h"

void mlir::norm::registerNormPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "norm-lower-to-cpu",
      "Lower func + norm modules to the LLVM dialect for the host CPU "
      "(rows, linalg, vectorization, bufferization, LLVM)",
      buildNormLowerToCPUPipeline);
  PassPipelineRegistration<GPUPipelineOptions>(
      "norm-lower-to-nvvm",
      "Lower func + norm modules for NVIDIA GPUs: row-parallel norm kernels, "
      "other ops as mapped parallel loops, device buffers, NVVM/PTX in a "
      "gpu.binary, host code in the LLVM dialect",
      buildNormLowerToNVVMPipeline);
}
