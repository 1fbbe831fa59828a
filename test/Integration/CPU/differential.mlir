// 500 random configurations (rank 1-5, axes subsets, dynamic dims, dtypes,
// affine parameters with broadcasting, feature epsilon, statistics, zero rows
// and empty tensors), each JIT-compiled and compared with the float64
// reference on fresh random data.
// RUN: norm-differential-test --cases 500 --seed 20261122 | FileCheck %s
// CHECK: 500 of 500 cases passed

// The same kind of cases with norm-trailing-axes first (the GPU path's
// first step), still on the CPU: the transposed form computes the same.
// RUN: norm-differential-test --cases 150 --seed 7 \
// RUN:   --pre-pipeline='builtin.module(func.func(norm-trailing-axes))' \
// RUN:   | FileCheck %s --check-prefix=TRAILING
// TRAILING: 150 of 150 cases passed
