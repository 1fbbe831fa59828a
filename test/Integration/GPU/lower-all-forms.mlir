// REQUIRES: cuda-toolkit
// Every random op form (the differential test's generator) lowers through
// norm-lower-to-nvvm to PTX; no GPU needed.
// RUN: norm-differential-test --target=gpu --lower-only --cases 500 --seed 20261122 | FileCheck %s
// CHECK: 500 of 500 cases passed
