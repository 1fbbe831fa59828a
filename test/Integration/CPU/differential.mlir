// 500 random configurations (rank 1-5, axes subsets, dynamic dims, dtypes,
// affine parameters with broadcasting, feature epsilon, statistics, zero rows
// and empty tensors, the variants scale_offset and casting llama / gemma),
// each JIT-compiled and compared with the float64 reference on fresh random
// data. llama outputs must equal the reference's exactly unless an operand
// of its roundings lies within its error of a rounding boundary of the input
// type: a lowering that skips llama's rounding of xhat fails 40 of these 500
// cases, one whose scale_offset adds 2 fails 67 (checked 2026-11-30).
// RUN: norm-differential-test --cases 500 --seed 20261122 | FileCheck %s
// CHECK: 500 of 500 cases passed

// The same kind of cases with norm-trailing-axes first (the GPU path's
// first step), still on the CPU: the transposed form computes the same.
// RUN: norm-differential-test --cases 150 --seed 7 \
// RUN:   --pre-pipeline='builtin.module(func.func(norm-trailing-axes))' \
// RUN:   | FileCheck %s --check-prefix=TRAILING
// TRAILING: 150 of 150 cases passed

// A check of the checks: outputs moved by 25% of (|y| + 1) must fail every
// case (tolerances are per row, so no ill-conditioned row widens a case's;
// bf16 accumulation over 256 elements may miss by 16%).
// RUN: not norm-differential-test --cases 100 --seed 11 --perturb 0.25 \
// RUN:   | FileCheck %s --check-prefix=PERTURBED
// PERTURBED: 0 of 100 cases passed

// Two million short rows per case, one thread and row tasks: the row loops'
// scratch buffers must not grow the stack per row.
// RUN: norm-differential-test --cases 6 --seed 3 --many-rows 2000000 \
// RUN:   | FileCheck %s --check-prefix=MANY
// MANY: 6 of 6 cases passed

// --pre-pipeline runs, wrapped or bare: a pass that fails fails the test.
// RUN: not norm-differential-test --cases 2 --seed 5 \
// RUN:   --pre-pipeline='builtin.module(func.func(norm-set-kind{kind=bogus}))' \
// RUN:   | FileCheck %s --check-prefix=PREFAIL
// RUN: not norm-differential-test --cases 2 --seed 5 \
// RUN:   --pre-pipeline='func.func(norm-set-kind{kind=bogus})' \
// RUN:   | FileCheck %s --check-prefix=PREFAIL
// PREFAIL: --pre-pipeline failed
// PREFAIL: 0 of 2 cases passed
