//===- Passes.h - norm conversion passes --------------------------*- C++
//-*-===//

#ifndef NORM_CONVERSION_PASSES_H
#define NORM_CONVERSION_PASSES_H

#include "norm/Conversion/NormToGPU/NormToGPU.h"
#include "norm/Conversion/NormToLinalg/NormToLinalg.h"

#include "mlir/Pass/Pass.h"

namespace mlir::norm {

#define GEN_PASS_DECL
#include "norm/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "norm/Conversion/Passes.h.inc"

} // namespace mlir::norm

#endif // NORM_CONVERSION_PASSES_H
