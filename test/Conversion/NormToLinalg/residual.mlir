// RUN: norm-opt %s --convert-norm-to-linalg --split-input-file | FileCheck %s

// Half types: the sum first, each operation rounded to bf16 (computed in
// f32), in its own pass; the row statistics and the output then read it
// (from cache after norm-tile-rows), and it is returned.
// CHECK-LABEL: func @add_rms_norm_bf16
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xbf16>, %[[R:.*]]: tensor<4x64xbf16>)
// CHECK: %[[ALPHA:.*]] = arith.constant 2.500000e+00 : f32
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[R]] :
// CHECK: ^bb0(%[[XE:.*]]: bf16, %[[RE:.*]]: bf16,
// CHECK:   %[[RW:.*]] = arith.extf %[[RE]] : bf16 to f32
// CHECK:   %[[P:.*]] = arith.mulf %[[RW]], %[[ALPHA]] : f32
// CHECK:   %[[PT:.*]] = arith.truncf %[[P]] : f32 to bf16
// CHECK:   %[[PW:.*]] = arith.extf %[[PT]] : bf16 to f32
// CHECK:   %[[XW:.*]] = arith.extf %[[XE]] : bf16 to f32
// CHECK:   %[[S:.*]] = arith.addf %[[PW]], %[[XW]] : f32
// CHECK:   %[[ST:.*]] = arith.truncf %[[S]] : f32 to bf16
// CHECK:   linalg.yield %[[ST]] : bf16
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[SUM]] :
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[SUM]],
// CHECK: return %[[Y]], %[[SUM]]
func.func @add_rms_norm_bf16(%x: tensor<4x64xbf16>, %r: tensor<4x64xbf16>) -> (tensor<4x64xbf16>, tensor<4x64xbf16>) {
  %y, %s = norm.add_rms_norm %x, %r {residual_scale = 2.5 : f64} : tensor<4x64xbf16> -> tensor<4x64xbf16>, tensor<4x64xbf16>
  return %y, %s : tensor<4x64xbf16>, tensor<4x64xbf16>
}

// -----

// f32 and residual_scale = 1: every pass over the row reads the input and
// the residual and adds them again (one add, in f32; here before the
// mean); the output pass also writes the sum, which is never read back.
// CHECK-LABEL: func @add_layer_norm_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[XE:.*]]: f32, %[[RE:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:   %[[S:.*]] = arith.addf %[[RE]], %[[XE]] : f32
// CHECK-NEXT:   arith.addf %[[ACC]], %[[S]] : f32
// CHECK: %[[OUT:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]}
// CHECK:   linalg.yield %{{.*}}, %{{.*}} : f32, f32
// CHECK: return %[[OUT]]#0, %[[OUT]]#1
func.func @add_layer_norm_f32(%x: tensor<?x64xf32>, %r: tensor<?x64xf32>) -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  %y, %s = norm.add_layer_norm %x, %r : tensor<?x64xf32> -> tensor<?x64xf32>, tensor<?x64xf32>
  return %y, %s : tensor<?x64xf32>, tensor<?x64xf32>
}

// -----

// The gradient: dx reads sum_grad and adds it in the compute type; the
// residual's gradient is residual_scale times dx, rounded to the input type.
// CHECK-LABEL: func @add_rms_norm_grad
// CHECK-SAME: (%[[DY:.*]]: tensor<4x64xf16>, %[[DS:.*]]: tensor<4x64xf16>, %[[S:.*]]: tensor<4x64xf16>)
// CHECK: %[[DX:.*]] = linalg.generic {{.*}} ins(%[[S]], %[[DY]], %[[DS]],
// CHECK: ^bb0(%{{.*}}: f16, %{{.*}}: f16, %[[DSE:.*]]: f16,
// CHECK:   %[[ADD:.*]] = arith.extf %[[DSE]] : f16 to f32
// CHECK:   arith.addf %{{.*}}, %[[ADD]] : f32
// CHECK: %[[DR:.*]] = linalg.generic {{.*}} ins(%[[DX]] :
// CHECK:   arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:   arith.truncf %{{.*}} : f32 to f16
// CHECK: return %[[DX]], %[[DR]]
func.func @add_rms_norm_grad(%dy: tensor<4x64xf16>, %ds: tensor<4x64xf16>, %s: tensor<4x64xf16>) -> (tensor<4x64xf16>, tensor<4x64xf16>) {
  %dx, %dr = norm.add_rms_norm_grad %dy, %s sum_grad(%ds : tensor<4x64xf16>) {residual_scale = 0.5 : f64} : tensor<4x64xf16> -> tensor<4x64xf16>, tensor<4x64xf16>
  return %dx, %dr : tensor<4x64xf16>, tensor<4x64xf16>
}

// -----

// An unused residual gradient is not computed: nothing reads dx.
// CHECK-LABEL: func @unused_residual_grad
// CHECK: %[[DX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK-NOT: ins(%[[DX]]
// CHECK: return %[[DX]] :
func.func @unused_residual_grad(%dy: tensor<4x64xf32>, %s: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %dx, %dr = norm.add_rms_norm_grad %dy, %s {residual_scale = 0.5 : f64} : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4x64xf32>
  return %dx : tensor<4x64xf32>
}
