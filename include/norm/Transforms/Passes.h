//===- Passes.h - norm code generation passes ---------------------*- C++
//-*-===//

#ifndef NORM_TRANSFORMS_PASSES_H
#define NORM_TRANSFORMS_PASSES_H

#include "norm/Transforms/PassDefaults.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/Pass.h"

namespace mlir::norm {

#define GEN_PASS_DECL
#include "norm/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "norm/Transforms/Passes.h.inc"

} // namespace mlir::norm

#endif // NORM_TRANSFORMS_PASSES_H
