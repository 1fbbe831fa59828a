// REQUIRES: gpu
// 500 random configurations JIT-compiled for the GPU and compared with the
// float64 reference on fresh random data.
// RUN: norm-differential-test --target=gpu --cases 500 --seed 20261122 | FileCheck %s
// CHECK: 500 of 500 cases passed
