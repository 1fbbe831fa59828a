//===- PassDefaults.h - Option defaults shared by passes and pipelines ----===//

#ifndef NORM_TRANSFORMS_PASSDEFAULTS_H
#define NORM_TRANSFORMS_PASSDEFAULTS_H

#include <cstdint>

namespace mlir::norm {

/// The smallest result that norm-streaming-stores writes non-temporally, in
/// bytes: the pass's and the CPU pipeline's default.
inline constexpr int64_t kDefaultStreamingMinBytes = 1 << 20;

} // namespace mlir::norm

#endif // NORM_TRANSFORMS_PASSDEFAULTS_H
