// 500 random configurations (rank 1-5, axes subsets, dynamic dims, dtypes,
// affine parameters with broadcasting, feature epsilon, statistics, zero rows
// and empty tensors), each JIT-compiled and compared with the float64
// reference on fresh random data.
// RUN: norm-differential-test --cases 500 --seed 20261122 | FileCheck %s
// CHECK: 500 of 500 cases passed
