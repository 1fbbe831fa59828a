//===- InitAll.h - Register everything norm's tools use ----------*- C++
//-*-===//

#ifndef NORM_INITALL_H
#define NORM_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::norm {

/// Registers the norm dialect, the upstream dialects the lowerings produce and
/// their interface implementations.
void registerAllDialects(DialectRegistry &registry);

/// Registers norm's passes and pipelines plus all upstream passes.
void registerAllPasses();

} // namespace mlir::norm

#endif // NORM_INITALL_H
