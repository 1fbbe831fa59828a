// REQUIRES: gpu
// The CPU integration tests' hand-computed values, on the GPU.
// RUN: norm-runner %S/../CPU/rms_norm.mlir --target=gpu --print | FileCheck %S/../CPU/rms_norm.mlir
// RUN: norm-runner %S/../CPU/layer_norm.mlir --target=gpu --print | FileCheck %S/../CPU/layer_norm.mlir
// RUN: norm-runner %S/../CPU/axes.mlir --target=gpu --print | FileCheck %S/../CPU/axes.mlir
// RUN: norm-runner %S/../CPU/empty.mlir -e empty_rows --target=gpu --print | FileCheck %S/../CPU/empty.mlir --check-prefix=ROWS
// RUN: norm-runner %S/../CPU/empty.mlir -e empty_features --target=gpu --print | FileCheck %S/../CPU/empty.mlir --check-prefix=FEATURES

// The transformer block runs end to end (shapes and finite values).
// RUN: norm-runner %norm_src_root/examples/transformer_block/tiny.mlir -e block --target=gpu --random-inputs --summary | FileCheck %s --check-prefix=BLOCK
// BLOCK: result #0:
// BLOCK-NOT: nan
// BLOCK: compile
