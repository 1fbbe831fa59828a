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
