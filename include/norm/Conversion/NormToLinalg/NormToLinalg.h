//===- NormToLinalg.h - Decompose norm ops into linalg ------------*- C++
//-*-===//

#ifndef NORM_CONVERSION_NORMTOLINALG_NORMTOLINALG_H
#define NORM_CONVERSION_NORMTOLINALG_NORMTOLINALG_H

namespace mlir {
class RewritePatternSet;

namespace norm {
/// Adds the patterns that rewrite norm.rms_norm and norm.layer_norm into
/// linalg ops on tensors.
void populateNormToLinalgPatterns(RewritePatternSet &patterns);
} // namespace norm
} // namespace mlir

#endif // NORM_CONVERSION_NORMTOLINALG_NORMTOLINALG_H
