// The fused residual ops (norm.add_rms_norm, norm.add_layer_norm) and their
// gradient ops on random forms (the differential test's: ranks 1-5, axes
// subsets, dynamic dims, every dtype, broadcast parameters, feature epsilon,
// statistics, parallel row tasks), with residual_scale drawn from
// {1, 0.5, 1.75, 2.4375}, JIT-compiled and compared with the float64
// reference: the sum must equal residual_scale * residual + input rounded
// as the op defines it, bit for bit; the output and statistics are checked
// as the plain op's on that sum. Gradients: dx (plus sum_grad) and the
// parameter gradients against the reference gradient; the residual's
// gradient bit for bit against residual_scale times the returned dx.
// RUN: norm-differential-test --residual --cases 100 --seed 20261130 | FileCheck %s
// RUN: norm-differential-test --residual --gradients --cases 100 --seed 20261130 | FileCheck %s
// CHECK: 100 of 100 cases passed

// The GPU path's first step (trailing axes) on the fused ops, on the CPU.
// RUN: norm-differential-test --residual --cases 60 --seed 7 \
// RUN:   --pre-pipeline='builtin.module(func.func(norm-trailing-axes))' \
// RUN:   | FileCheck %s --check-prefix=TRAILING
// TRAILING: 60 of 60 cases passed

// A check of the checks: outputs (and every gradient result) moved by 25%
// of (|v| + 1) fail every case.
// RUN: not norm-differential-test --residual --cases 30 --seed 11 --perturb 0.25 \
// RUN:   | FileCheck %s --check-prefix=PERTURBED
// RUN: not norm-differential-test --residual --gradients --cases 30 --seed 11 \
// RUN:   --perturb 0.25 | FileCheck %s --check-prefix=PERTURBED
// PERTURBED: 0 of 30 cases passed
