// Found by norm-nvvm-fuzzer (seed: test/Dialect/Norm/ops.mlir). Not fixed:
// the lowering is lib/Conversion/NormToGPU/NormToGPU.cpp.
//
//   norm-opt fuzz/crashes/nvvm-16-bit-compute-shuffle.mlir --norm-lower-to-nvvm
//
// convert-norm-to-gpu reduces rows with gpu.shuffle in the compute type
// (warpReduce); with a 16-bit compute type, upstream's convert-gpu-to-nvvm
// (MLIR 22) lowers the f16/bf16 gpu.shuffle to an nvvm.shfl.sync that does
// not verify ("operand #1 must be 32-bit signless integer or 32-bit float,
// but got 'f16'"); 64-bit values are split by upstream, 16-bit ones are not.
// The pipeline stops with that verifier error; with verification off, the
// invalid IR reaches the NVPTX backend.

func.func @layer_f16_compute(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %y = norm.layer_norm %x {compute_type = f16} : tensor<4x8xf16> -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

func.func @rms_bf16_compute(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %y = norm.rms_norm %x {compute_type = bf16} : tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}
