// RUN: norm-opt %s --norm-vectorize="vector-size=64 matmul-task-cols=64 matmul-min-task-flops=16777216" --split-input-file | FileCheck %s

// Tasks do at least matmul-min-task-flops (waking a worker costs more than
// a small task): a static contraction with less than two tasks' worth runs
// as one, on the calling thread: [80x128]x[128x256] is 5.2 MFLOP.
// CHECK-LABEL: func @small
// CHECK-NOT:     scf.forall
// CHECK:         vector.fma
func.func @small(%a: tensor<80x128xf32>, %b: tensor<128x256xf32>, %c: tensor<80x256xf32>) -> tensor<80x256xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<80x128xf32>, tensor<128x256xf32>) outs(%c : tensor<80x256xf32>) -> tensor<80x256xf32>
  return %r : tensor<80x256xf32>
}

// -----

// 2 x 128 x 1024 flops per column: 64 columns are 16.8 MFLOP, tasks as set.
// CHECK-LABEL: func @large
// CHECK:         scf.forall {{.*}} = (0) to (256) step (64)
func.func @large(%a: tensor<128x1024xf32>, %b: tensor<1024x256xf32>, %c: tensor<128x256xf32>) -> tensor<128x256xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<128x1024xf32>, tensor<1024x256xf32>) outs(%c : tensor<128x256xf32>) -> tensor<128x256xf32>
  return %r : tensor<128x256xf32>
}

// -----

// 2 x 128 x 256 flops per column: tasks are widened to 256 columns (whole
// panels of 32) to reach 16.8 MFLOP; 1024 columns make four of them.
// CHECK-LABEL: func @widened
// CHECK:         scf.forall {{.*}} = (0) to (1024) step (256)
func.func @widened(%a: tensor<128x256xf32>, %b: tensor<256x1024xf32>, %c: tensor<128x1024xf32>) -> tensor<128x1024xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<128x256xf32>, tensor<256x1024xf32>) outs(%c : tensor<128x1024xf32>) -> tensor<128x1024xf32>
  return %r : tensor<128x1024xf32>
}

// -----

// A dynamic size keeps the tasks as set.
// CHECK-LABEL: func @dynamic
// CHECK:         scf.forall {{.*}} = (0) to (256) step (64)
func.func @dynamic(%a: tensor<?x128xf32>, %b: tensor<128x256xf32>, %c: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x128xf32>, tensor<128x256xf32>) outs(%c : tensor<?x256xf32>) -> tensor<?x256xf32>
  return %r : tensor<?x256xf32>
}
