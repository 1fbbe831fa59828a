// Gradient ops in row tasks: norm-tile-rows makes an scf.forall over tasks
// (an scf.for over each task's rows inside, the parameters in the compute
// type), partial parameter sums per task, added over the tasks in order;
// after the lowering, each row's parameter gradient is summed straight into
// the task's running sum (no zero-filled temporary per row).
// RUN: norm-opt %s --norm-tile-rows=grad-task-bytes=2048 --convert-norm-to-linalg | FileCheck %s

// CHECK-LABEL: func @layer_grad
// CHECK: %[[GC:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<128xbf16>) outs(%{{.*}} : tensor<128xf32>)
// CHECK: arith.extf
// CHECK: %[[RES:.*]]:3 = scf.forall (%[[T:.*]]) in (%{{.*}}) shared_outs(%[[DX:.*]] = %{{.*}}, %[[PG:.*]] = %{{.*}}, %[[PB:.*]] = %{{.*}}) -> (tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x1xf32>)
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}, %[[ACC:.*]] = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<?x128xf32>, tensor<128xf32>, tensor<1xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins({{.*}}) outs(%[[ACC]] : tensor<128xf32>)
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[PG]][%[[T]], 0] [1, 128] [1, 1] : tensor<128xf32> into tensor<?x128xf32>
// The tasks' sums, in order, then bf16.
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[RES]]#1 : tensor<?x128xf32>)
// CHECK: arith.truncf {{.*}} : f32 to bf16
func.func @layer_grad(%dy: tensor<?x128xf32>, %x: tensor<?x128xf32>, %g: tensor<128xbf16>, %b: tensor<1xf32>) -> (tensor<?x128xf32>, tensor<128xbf16>, tensor<1xf32>) {
  %dx, %dg, %db = norm.layer_norm_grad %dy, %x scale(%g : tensor<128xbf16>) bias(%b : tensor<1xf32>) : tensor<?x128xf32> -> tensor<?x128xf32>, tensor<128xbf16>, tensor<1xf32>
  return %dx, %dg, %db : tensor<?x128xf32>, tensor<128xbf16>, tensor<1xf32>
}

// Axes not trailing: left whole (lowered over the whole tensor).
// CHECK-LABEL: func @leading_axis
// CHECK-NOT: scf.forall
// CHECK: return
func.func @leading_axis(%dy: tensor<16x?xf32>, %x: tensor<16x?xf32>, %g: tensor<16xf32>) -> (tensor<16x?xf32>, tensor<16xf32>) {
  %dx, %dg = norm.rms_norm_grad %dy, %x scale(%g : tensor<16xf32>) {axes = array<i64: 0>} : tensor<16x?xf32> -> tensor<16x?xf32>, tensor<16xf32>
  return %dx, %dg : tensor<16x?xf32>, tensor<16xf32>
}

// grad-task-bytes=0 leaves gradient ops whole; grad-max-tasks bounds the
// number of tasks (rows per task at least ceil(rows / max)).
// RUN: norm-opt %s --norm-tile-rows=grad-task-bytes=0 | FileCheck %s --check-prefix=WHOLE
// RUN: norm-opt %s --norm-tile-rows="grad-task-bytes=2048 grad-max-tasks=7" | FileCheck %s --check-prefix=MAX
// WHOLE-LABEL: func @layer_grad
// WHOLE-NOT: scf.forall
// WHOLE: norm.layer_norm_grad %{{.*}} : tensor<?x128xf32> -> tensor<?x128xf32>, tensor<128xbf16>, tensor<1xf32>
// MAX-LABEL: func @layer_grad
// MAX-DAG: %[[SEVEN:.*]] = arith.constant 7 : index
// MAX-DAG: %[[ROWS:.*]] = tensor.dim
// MAX: %[[MIN:.*]] = arith.ceildivui %[[ROWS]], %[[SEVEN]] : index
// MAX: %[[PER:.*]] = arith.maxui %{{.*}}, %[[MIN]] : index
// MAX: %[[TASKS:.*]] = arith.ceildivui %[[ROWS]], %[[PER]] : index
// MAX: scf.forall (%{{.*}}) in (%[[TASKS]])
