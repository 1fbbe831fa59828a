//===- NormToLinalg.h - Decompose norm ops into linalg ------------*- C++
//-*-===//

#ifndef NORM_CONVERSION_NORMTOLINALG_NORMTOLINALG_H
#define NORM_CONVERSION_NORMTOLINALG_NORMTOLINALG_H

namespace mlir {
class RewritePatternSet;

namespace norm {
/// Adds the patterns that rewrite every norm op (forward and gradient) into
/// linalg ops on tensors. Without `overflowGuard`, rows whose sums overflow
/// the compute type are not summed again (for targets where the scf.if of
/// the guard would read device memory on the host).
void populateNormToLinalgPatterns(RewritePatternSet &patterns,
                                  bool overflowGuard = true);

/// Folds the addition of a lowered row gradient's parameter sums into a
/// running sum (norm-tile-rows' tasks) into the sum itself.
void populateNormGradAccumulationPatterns(RewritePatternSet &patterns);

/// The gradient ops' patterns alone (GradToLinalg.cpp).
void populateNormGradToLinalgPatterns(RewritePatternSet &patterns,
                                      bool overflowGuard = true);
} // namespace norm
} // namespace mlir

#endif // NORM_CONVERSION_NORMTOLINALG_NORMTOLINALG_H
