// The gradient ops on random forms (rank 1-5, axes subsets, dynamic dims,
// dtypes, parameters with broadcasting, feature epsilon, saved statistics
// from the forward op, zero rows), JIT-compiled and compared with the
// float64 reference gradient (norm::reference::normalizeGrad, itself checked
// against central finite differences in NormReferenceTests): dx and every
// parameter gradient, with per-row tolerances. Half of the cases run their
// row tasks on threads.
// RUN: norm-differential-test --gradients --cases 200 --seed 20261130 | FileCheck %s
// CHECK: 200 of 200 cases passed

// A check of the checks: results moved by 25% of (|v| + 1) fail every case.
// RUN: not norm-differential-test --gradients --cases 30 --seed 11 --perturb 0.25 \
// RUN:   | FileCheck %s --check-prefix=PERTURBED
// PERTURBED: 0 of 30 cases passed

// Many short rows, one thread and row tasks.
// RUN: norm-differential-test --gradients --cases 4 --seed 5 --many-rows 1000000 \
// RUN:   | FileCheck %s --check-prefix=MANY
// MANY: 4 of 4 cases passed

// A constant row (-125.07 eight times) with epsilon 1e-6: the inverse root
// is 1000, so the rounding of the mean, times r, makes xhat 1e-2 instead of
// 0 and moves dx by ~0.05 of ~100. The error model's second-order term
// (both xhat in mean(g xhat) off at once) covers it; without that term this
// case failed.
// RUN: norm-differential-test --gradients --case-seed 17418761361760051386 \
// RUN:   | FileCheck %s --check-prefix=CONSTANT
// CONSTANT: 1 of 1 cases passed
