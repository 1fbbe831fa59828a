// Found by norm-ir-fuzzer (2026-11-29): valid linalg with an f8E4M3FN
// accumulator that norm-lower-to-cpu turned into invalid LLVM IR (upstream
// arith-to-llvm maps f8 to i8). Both pipelines now reject the type up front
// (norm-check-element-types).
// RUN: not norm-opt %s --norm-lower-to-cpu 2>&1 | FileCheck %s
// RUN: not norm-opt %s --norm-lower-to-nvvm 2>&1 | FileCheck %s
// CHECK: error: 'func.func' op uses 'f8E4M3FN', which the norm pipelines cannot lower to LLVM (supported float types: f16, bf16, f32, f64)
// CHECK-NOT: LLVM ERROR
func.func @matmul(%a: tensor<12x128xi32>, %b: tensor<128x64xf32>, %c: tensor<12x64xf8E4M3FN>) -> tensor<12x64xf8E4M3FN> {
  %r = linalg.matmul ins(%a, %b : tensor<12x128xi32>, tensor<128x64xf32>) outs(%c : tensor<12x64xf8E4M3FN>) -> tensor<12x64xf8E4M3FN>
  return %r : tensor<12x64xf8E4M3FN>
}
