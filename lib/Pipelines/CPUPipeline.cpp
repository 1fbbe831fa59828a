//===- CPUPipeline.cpp - norm-lower-to-cpu --------------------------------===//

#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"
#include "norm/Pipelines/Pipelines.h"
#include "norm/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::norm::buildNormLowerToCPUPipeline(
    OpPassManager &pm, const CPUPipelineOptions &options) {
  pm.addPass(createNormCheckElementTypes());
  if (options.fuseResidual)
    pm.addNestedPass<func::FuncOp>(createNormFuseResidual());
  // Rows, then linalg, then vector-sized tiles, all on tensors.
  // Gradient ops get the same tasks with and without threads: their
  // parameter gradients are summed per task.
  NormTileRowsOptions tileRows;
  tileRows.innerTile = options.innerTile;
  tileRows.minTaskBytes = options.parallel ? options.minTaskBytes : 0;
  tileRows.gradTaskBytes = options.minTaskBytes;
  pm.addNestedPass<func::FuncOp>(createNormTileRows(tileRows));
  pm.addNestedPass<func::FuncOp>(createConvertNormToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Contractions are split into tasks of columns only with threads.
  pm.addNestedPass<func::FuncOp>(createNormVectorize(NormVectorizeOptions{
      options.vectorSize, options.matmulRows, options.matmulCols,
      options.matmulDepth, options.parallel ? options.matmulTaskCols : 0,
      options.matmulMinTaskFlops}));
  // Keep partial-reduction accumulators in vector registers across the loop.
  pm.addPass(createLoopInvariantSubsetHoistingPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Write results straight into the destination, then bufferize.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.streamingStores)
    pm.addNestedPass<func::FuncOp>(createNormStreamingStores(
        NormStreamingStoresOptions{options.streamingMinBytes}));
  if (options.prefetch)
    pm.addNestedPass<func::FuncOp>(createNormPrefetchNextRow());
  // Per-row scratch buffers are tiny and static: keep them on the stack.
  pm.addNestedPass<func::FuncOp>(
      bufferization::createPromoteBuffersToStackPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Row tasks become an OpenMP worksharing loop (or a plain loop). OpenMP's
  // workers wait spinning between parallel regions; the async runtime's
  // slept, and waking them cost about 90 us per region on this VM.
  if (options.parallel) {
    pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
    pm.addPass(createConvertSCFToOpenMPPass());
    pm.addNestedPass<func::FuncOp>(createNormInlineAllocaScopes());
  } else {
    pm.addNestedPass<func::FuncOp>(createForallToForLoopPass());
  }
  pm.addNestedPass<func::FuncOp>(createLoopInvariantCodeMotionPass());

  // Vector and loop lowering to LLVM.
  pm.addNestedPass<func::FuncOp>(createNormUnorderedWidening());
  pm.addNestedPass<func::FuncOp>(createNormAccumulateWithFMA());
  NormExpandMathOptions expandMath;
  expandMath.bf16 = options.expandBF16;
  pm.addNestedPass<func::FuncOp>(createNormExpandMath(expandMath));
  pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMultiReductionPass(
      vector::VectorMultiReductionLowering::InnerReduction));
  pm.addNestedPass<func::FuncOp>(createNormReassociateReductions());
  pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMaskPass());
  pm.addNestedPass<func::FuncOp>(createNormScalarTransfers());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());
  if (options.parallel)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  // Scratch buffers created inside row loops: one slot per call, not per row.
  pm.addNestedPass<LLVM::LLVMFuncOp>(createNormHoistStaticAllocas());
  if (options.x86AVX512BF16)
    pm.addNestedPass<LLVM::LLVMFuncOp>(createNormPairedBF16Narrowing());
  pm.addNestedPass<LLVM::LLVMFuncOp>(createNormHalfVectorStores());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}
