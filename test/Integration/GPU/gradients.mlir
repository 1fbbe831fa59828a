// REQUIRES: gpu
// The gradient ops' random forms JIT-compiled for the GPU and compared with
// the float64 reference gradients (as test/Integration/CPU/gradients.mlir).
// RUN: norm-differential-test --target=gpu --gradients --cases 200 --seed 20261130 | FileCheck %s
// CHECK: 200 of 200 cases passed
// RUN: not norm-differential-test --target=gpu --gradients --cases 20 --seed 11 --perturb 0.25 | FileCheck %s --check-prefix=PERTURBED
// PERTURBED: 0 of 20 cases passed
