//===- CheckElementTypes.cpp - Reject floats LLVM cannot lower ------------===//

#include "norm/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMCHECKELEMENTTYPES
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

/// The float type inside `type` (itself, a shaped type's element type, a
/// complex type's part) that the pipelines cannot lower, or null.
static FloatType getUnsupportedFloat(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  if (auto complex = dyn_cast<ComplexType>(type))
    type = complex.getElementType();
  auto floatType = dyn_cast<FloatType>(type);
  if (!floatType ||
      isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(floatType))
    return nullptr;
  return floatType;
}

namespace {
struct NormCheckElementTypesPass
    : public norm::impl::NormCheckElementTypesBase<NormCheckElementTypesPass> {
  using Base::Base;

  void runOnOperation() override {
    WalkResult result =
        getOperation().walk<WalkOrder::PreOrder>([](Operation *op) {
          SmallVector<Type> types(op->getOperandTypes());
          llvm::append_range(types, op->getResultTypes());
          for (Region &region : op->getRegions())
            for (Block &block : region)
              llvm::append_range(types, block.getArgumentTypes());
          for (Type type : types) {
            if (FloatType unsupported = getUnsupportedFloat(type)) {
              op->emitOpError("uses ")
                  << unsupported
                  << ", which the norm pipelines cannot lower to LLVM "
                     "(supported float types: f16, bf16, f32, f64)";
              return WalkResult::interrupt();
            }
          }
          return WalkResult::advance();
        });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
