// RUN: norm-opt %s --pass-pipeline='builtin.module(func.func(norm-tile-rows,convert-norm-to-linalg))' | FileCheck %s
// RUN: norm-opt %s --convert-norm-to-linalg | FileCheck %s --check-prefix=UNTILED

// Half-type parameters are widened to the compute type once, before the row
// loop, not in every row's output op.
// CHECK-LABEL: func @bf16_rows
// CHECK:         %[[G:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<64xbf16>) outs(%{{.*}} : tensor<64xf32>)
// CHECK:           arith.extf
// CHECK:         %[[B:.*]] = linalg.generic {{.*}} ins(%arg2 : tensor<64xbf16>) outs(%{{.*}} : tensor<64xf32>)
// CHECK:         scf.forall
// CHECK:           linalg.generic {{.*}} ins({{.*}}, %[[G]], %[[B]] : {{.*}}, tensor<64xf32>, tensor<64xf32>)
// CHECK:             arith.truncf {{.*}} : f32 to bf16
// Untiled (no row loop), the output op widens them itself.
// UNTILED-LABEL: func @bf16_rows
// UNTILED-NOT:   outs(%{{.*}} : tensor<64xf32>)
// UNTILED:       ins({{.*}} : {{.*}}, tensor<64xbf16>, tensor<64xbf16>)
func.func @bf16_rows(%x: tensor<8x64xbf16>, %g: tensor<64xbf16>, %b: tensor<64xbf16>) -> tensor<8x64xbf16> {
  %y = norm.layer_norm %x scale(%g : tensor<64xbf16>) bias(%b : tensor<64xbf16>) : tensor<8x64xbf16> -> tensor<8x64xbf16>
  return %y : tensor<8x64xbf16>
}
