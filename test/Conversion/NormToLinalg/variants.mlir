// RUN: norm-opt %s --convert-norm-to-linalg="overflow-guard=false" --canonicalize --cse --split-input-file | FileCheck %s

// scale_offset: the factor is 1 + scale, the 1 added in the compute type
// after converting the scale; compute casting rounds once, at the end. The
// affine product and sum are contractible (one FMA where the target has it);
// llama's rounded steps below are not.
// CHECK-LABEL: func @rms_scale_offset
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: bf16, %[[INV:.*]]: f32, %[[W:.*]]: bf16, %{{.*}}: bf16):
// CHECK-NEXT: %[[XF:.*]] = arith.extf %[[X]] : bf16 to f32
// CHECK-NEXT: %[[WF:.*]] = arith.extf %[[W]] : bf16 to f32
// CHECK-NEXT: %[[XHAT:.*]] = arith.mulf %[[XF]], %[[INV]] : f32
// CHECK-NEXT: %[[FACTOR:.*]] = arith.addf %[[WF]], %[[ONE]] : f32
// CHECK-NEXT: %[[Y:.*]] = arith.mulf %[[XHAT]], %[[FACTOR]] fastmath<contract> : f32
// CHECK-NEXT: %[[OUT:.*]] = arith.truncf %[[Y]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[OUT]] : bf16
func.func @rms_scale_offset(%x: tensor<?x64xbf16>, %w: tensor<64xbf16>) -> tensor<?x64xbf16> {
  %y = norm.rms_norm %x scale(%w : tensor<64xbf16>) {scale_offset} : tensor<?x64xbf16> -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

// -----

// llama: xhat rounded to the input type, then the product and the sum with
// the bias each computed in f32 and rounded (the bias and an f32 scale are
// rounded too: the transform is done in the input type).
// CHECK-LABEL: func @layer_llama
// CHECK: ^bb0(%[[X:.*]]: f16, %[[MEAN:.*]]: f32, %[[INV:.*]]: f32, %[[W:.*]]: f32, %[[B:.*]]: f16, %{{.*}}: f16):
// CHECK-NEXT: %[[XF:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[XF]], %[[MEAN]] : f32
// CHECK-NEXT: %[[XHAT:.*]] = arith.mulf %[[D]], %[[INV]] : f32
// CHECK-NEXT: %[[XHAT16:.*]] = arith.truncf %[[XHAT]] : f32 to f16
// CHECK-NEXT: %[[XHATR:.*]] = arith.extf %[[XHAT16]] : f16 to f32
// CHECK-NEXT: %[[W16:.*]] = arith.truncf %[[W]] : f32 to f16
// CHECK-NEXT: %[[WR:.*]] = arith.extf %[[W16]] : f16 to f32
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[XHATR]], %[[WR]] : f32
// CHECK-NEXT: %[[P16:.*]] = arith.truncf %[[P]] : f32 to f16
// CHECK-NEXT: %[[PR:.*]] = arith.extf %[[P16]] : f16 to f32
// CHECK-NEXT: %[[BF:.*]] = arith.extf %[[B]] : f16 to f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[PR]], %[[BF]] : f32
// CHECK-NEXT: %[[OUT:.*]] = arith.truncf %[[S]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[OUT]] : f16
func.func @layer_llama(%x: tensor<8x64xf16>, %w: tensor<64xf32>, %b: tensor<64xf16>) -> tensor<8x64xf16> {
  %y = norm.layer_norm %x scale(%w : tensor<64xf32>) bias(%b : tensor<64xf16>) {casting = #norm.casting<llama>} : tensor<8x64xf16> -> tensor<8x64xf16>
  return %y : tensor<8x64xf16>
}

// -----

// gemma is compute's arithmetic: one rounding at the end.
// CHECK-LABEL: func @rms_gemma
// CHECK: ^bb0(%[[X:.*]]: bf16, %[[INV:.*]]: f32, %[[W:.*]]: bf16, %{{.*}}: bf16):
// CHECK-NEXT: %[[XF:.*]] = arith.extf %[[X]] : bf16 to f32
// CHECK-NEXT: %[[WF:.*]] = arith.extf %[[W]] : bf16 to f32
// CHECK-NEXT: %[[XHAT:.*]] = arith.mulf %[[XF]], %[[INV]] : f32
// CHECK-NEXT: %[[Y:.*]] = arith.mulf %[[XHAT]], %[[WF]] fastmath<contract> : f32
// CHECK-NEXT: %[[OUT:.*]] = arith.truncf %[[Y]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[OUT]] : bf16
func.func @rms_gemma(%x: tensor<?x64xbf16>, %w: tensor<64xbf16>) -> tensor<?x64xbf16> {
  %y = norm.rms_norm %x scale(%w : tensor<64xbf16>) {casting = #norm.casting<gemma>} : tensor<?x64xbf16> -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

// -----

// llama on an input of the compute type rounds nothing more.
// CHECK-LABEL: func @rms_llama_f32
// CHECK: ^bb0(%[[X:.*]]: f32, %[[INV:.*]]: f32, %[[W:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[XHAT:.*]] = arith.mulf %[[X]], %[[INV]] : f32
// CHECK-NEXT: %[[Y:.*]] = arith.mulf %[[XHAT]], %[[W]] fastmath<contract> : f32
// CHECK-NEXT: linalg.yield %[[Y]] : f32
func.func @rms_llama_f32(%x: tensor<?x64xf32>, %w: tensor<64xf32>) -> tensor<?x64xf32> {
  %y = norm.rms_norm %x scale(%w : tensor<64xf32>) {casting = #norm.casting<llama>} : tensor<?x64xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// The gradient: g = dy * (1 + scale); dscale still sums dy * xhat.
// CHECK-LABEL: func @rms_grad_scale_offset
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: ^bb0(%{{.*}}: f32, %[[DY:.*]]: f32, %{{.*}}: f32, %[[W:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[FACTOR:.*]] = arith.addf %[[W]], %[[ONE]] : f32
// CHECK-NEXT: arith.mulf %[[DY]], %[[FACTOR]] : f32
func.func @rms_grad_scale_offset(%dy: tensor<8x64xf32>, %x: tensor<8x64xf32>, %w: tensor<64xf32>) -> (tensor<8x64xf32>, tensor<64xf32>) {
  %dx, %dw = norm.rms_norm_grad %dy, %x scale(%w : tensor<64xf32>) {scale_offset} : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<64xf32>
  return %dx, %dw : tensor<8x64xf32>, tensor<64xf32>
}
