//===- GPUBarrierEffects.cpp - gpu.barrier as a memory fence --------------===//
//
// Upstream's gpu.barrier declares no memory effects, which buffer
// deallocation rejects inside our kernels and which would let hoisting move
// shared-memory accesses across it. convert-norm-to-gpu, whose kernels use
// it, registers this model among its dependent dialects, so any context
// running the pass gets it.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/NormToGPU/NormToGPU.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace {
/// A barrier orders all memory accesses around it, as a read and a write of
/// every resource would.
struct BarrierMemoryEffects
    : public MemoryEffectOpInterface::ExternalModel<BarrierMemoryEffects,
                                                    gpu::BarrierOp> {
  void
  getEffects(Operation *op,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                 &effects) const {
    effects.emplace_back(MemoryEffects::Read::get());
    effects.emplace_back(MemoryEffects::Write::get());
  }
};
} // namespace

void mlir::norm::registerGPUBarrierMemoryEffects(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, gpu::GPUDialect *) {
    gpu::BarrierOp::attachInterface<BarrierMemoryEffects>(*context);
  });
}
