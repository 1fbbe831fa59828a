// Found by norm-ir-fuzzer (2026-11-29): valid linalg (f8E4M3FN accumulator)
// that norm-lower-to-cpu turns into invalid LLVM IR (upstream arith-to-llvm
// maps f8 to i8); norm-opt reports the verifier error and exits 1. To do:
// reject element types the CPU pipeline cannot lower, up front.
func.func @matmul(%a: tensor<12x128xi32>, %b: tensor<128x64xf32>, %c: tensor<12x64xf8E4M3FN>) -> tensor<12x64xf8E4M3FN> {
  %r = linalg.matmul ins(%a, %b : tensor<12x128xi32>, tensor<128x64xf32>) outs(%c : tensor<12x64xf8E4M3FN>) -> tensor<12x64xf8E4M3FN>
  return %r : tensor<12x64xf8E4M3FN>
}
