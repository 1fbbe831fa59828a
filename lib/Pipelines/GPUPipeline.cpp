//===- GPUPipeline.cpp - norm-lower-to-nvvm -------------------------------===//
//
// Front: norm ops become our row kernels (gradient ops linalg), everything
// else upstream parallel loops mapped to the GPU; buffers move to device
// memory. Back: the sequence of upstream's gpu-lower-to-nvvm-pipeline, with
// libdevice linked from an explicit CUDA path instead of whatever the
// environment holds.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"
#include "norm/Pipelines/Pipelines.h"
#include "norm/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

using namespace mlir;

std::string mlir::norm::resolveCudaPath(llvm::StringRef cudaPath) {
  if (!cudaPath.empty())
    return cudaPath.str();
  for (const char *variable : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(variable); value && *value)
      return value;
  return "/usr/local/cuda";
}

void mlir::norm::buildNormLowerToNVVMPipeline(
    OpPassManager &pm, const GPUPipelineOptions &options) {
  std::string cudaPath = resolveCudaPath(options.cudaPath);
  pm.addPass(createNormCheckElementTypes());
  pm.addPass(createNormCheckLibdevice(NormCheckLibdeviceOptions{cudaPath}));

  // Norm ops into row kernels, on tensors.
  if (options.fuseResidual)
    pm.addNestedPass<func::FuncOp>(createNormFuseResidual());
  pm.addNestedPass<func::FuncOp>(createNormTrailingAxes());
  pm.addNestedPass<func::FuncOp>(createConvertNormToGPU(
      ConvertNormToGPUOptions{options.threadsPerBlock, 64}));
  // Gradient ops (no row kernels yet) become linalg, mapped to the GPU with
  // the other linalg ops below. No overflow guard: its scf.if would read a
  // device buffer on the host.
  pm.addNestedPass<func::FuncOp>(
      createConvertNormToLinalg(ConvertNormToLinalgOptions{false}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Buffers; the entry's arguments and results stay identity-layout memrefs.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  pm.addPass(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Other linalg ops: parallel loops, blocks of threads, launches.
  pm.addNestedPass<func::FuncOp>(createNormGPUSerialReductions());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createNormGPUTileParallelLoops(
      NormGPUTileParallelLoopsOptions{options.threadsPerBlock}));
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass(
      GpuMapParallelLoopsPassOptions{"innermost-first"}));
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Device memory, async host-side GPU ops.
  pm.addNestedPass<func::FuncOp>(createNormGPUDeviceMemory());
  // Constants and index math move into the kernels instead of becoming
  // kernel arguments.
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  pm.addPass(createLowerAffinePass());

  // Upstream's NVVM sequence (gpu-lower-to-nvvm-pipeline).
  pm.addPass(createConvertNVGPUToNVVMPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  llvm::SmallString<256> libdevice(cudaPath);
  llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
  target.linkLibs.push_back(libdevice.str().str());
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  pm.addNestedPass<gpu::GPUModuleOp>(createStripDebugInfoPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
  pm.addNestedPass<gpu::GPUModuleOp>(LLVM::createNVVMOptimizeForTargetPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = cudaPath;
  binary.compilationTarget = options.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}
