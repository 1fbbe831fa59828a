// Parameter gradients are summed per task of rows, then over the tasks in
// order; the tasks depend on the shape only, so one thread and all threads
// give the same bits.
// RUN: norm-runner %s --random-inputs --shape=0=3000x512 --shape=1=3000x512 --parallel=false --output %t.dx1.npy --output %t.dg1.npy --output %t.db1.npy
// RUN: norm-runner %s --random-inputs --shape=0=3000x512 --shape=1=3000x512 --parallel --output %t.dx2.npy --output %t.dg2.npy --output %t.db2.npy
// RUN: cmp %t.dx1.npy %t.dx2.npy
// RUN: cmp %t.dg1.npy %t.dg2.npy
// RUN: cmp %t.db1.npy %t.db2.npy
// The parameter gradient sums 3000 rows: values far from 0 (not a trivial
// equality of zeros).
// RUN: norm-runner %s --random-inputs --shape=0=3000x512 --shape=1=3000x512 --summary | FileCheck %s
// CHECK: result #1: tensor<512xf32> shape [512] first [{{-?[0-9]+\.?[0-9]*}}
func.func @main(%dy: tensor<?x512xf32>, %x: tensor<?x512xf32>, %g: tensor<512xf32>, %b: tensor<512xf32>) -> (tensor<?x512xf32>, tensor<512xf32>, tensor<512xf32>) {
  %dx, %dg, %db = norm.layer_norm_grad %dy, %x scale(%g : tensor<512xf32>) bias(%b : tensor<512xf32>) : tensor<?x512xf32> -> tensor<?x512xf32>, tensor<512xf32>, tensor<512xf32>
  return %dx, %dg, %db : tensor<?x512xf32>, tensor<512xf32>, tensor<512xf32>
}
