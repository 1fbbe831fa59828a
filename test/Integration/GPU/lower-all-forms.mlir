// REQUIRES: cuda-toolkit
// Every random op form (the differential test's generator) lowers through
// norm-lower-to-nvvm to PTX; no GPU needed.
// RUN: norm-differential-test --target=gpu --lower-only --cases 500 --seed 20261122 | FileCheck %s
// CHECK: 500 of 500 cases passed

// The gradient ops of the same forms (their linalg form, mapped to the GPU).
// RUN: norm-differential-test --target=gpu --lower-only --gradients --cases 150 --seed 20261122 | FileCheck %s --check-prefix=GRAD
// GRAD: 150 of 150 cases passed

// The fused residual ops and their gradients, every form.
// RUN: norm-differential-test --target=gpu --lower-only --residual --cases 100 --seed 20261130 | FileCheck %s --check-prefix=RESIDUAL
// RUN: norm-differential-test --target=gpu --lower-only --residual --gradients --cases 60 --seed 20261130 | FileCheck %s --check-prefix=RESIDUAL-GRAD
// RESIDUAL: 100 of 100 cases passed
// RESIDUAL-GRAD: 60 of 60 cases passed
