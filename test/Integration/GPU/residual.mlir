// REQUIRES: gpu
// The fused residual ops and their gradients JIT-compiled for the GPU and
// compared with the float64 reference (as test/Integration/CPU/residual.mlir).
// RUN: norm-differential-test --target=gpu --residual --cases 150 --seed 20261130 | FileCheck %s
// RUN: norm-differential-test --target=gpu --residual --gradients --cases 150 --seed 20261130 | FileCheck %s
// CHECK: 150 of 150 cases passed
// RUN: not norm-differential-test --target=gpu --residual --cases 20 --seed 11 --perturb 0.25 | FileCheck %s --check-prefix=PERTURBED
// PERTURBED: 0 of 20 cases passed
