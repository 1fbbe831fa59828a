// REQUIRES: gpu
// The CPU's large-result cases (../CPU/large-results.mlir) on the GPU, and
// rows long enough for a block per row (warps combining through shared
// memory: LayerNorm's two reductions, partial chunks, rows kept in
// registers or streamed), each compared with the float64 reference.
// DEFINE: %{ref} = %python %S/../CPU/Inputs/norm_reference.py
// DEFINE: %{cpu} = %S/../CPU/large-results.mlir
// RUN: %{ref} random %t.x263.npy 1031x263 --seed 1
// RUN: %{ref} random %t.xb263.npy 2063x263 --seed 2 --bf16
// RUN: %{ref} random %t.x320.npy 1031x320 --seed 3 --mean 2
// RUN: %{ref} random %t.xb288.npy 2063x288 --seed 4 --bf16
// RUN: %{ref} random %t.g263.npy 263 --seed 5 --mean 1 --bf16
// RUN: %{ref} random %t.b263.npy 263 --seed 6 --bf16
// RUN: %{ref} random %t.g320.npy 320 --seed 7 --mean 1
// RUN: %{ref} random %t.g288.npy 288 --seed 8 --mean 1 --bf16
// RUN: %{ref} random %t.b288.npy 288 --seed 9 --bf16
// RUN: %{ref} random %t.b1.npy 1 --seed 10

// RUN: norm-runner %{cpu} -e rms_f32 --target=gpu --input %t.x263.npy --input %t.g263.npy --input %t.b263.npy --output %t.y1.npy
// RUN: %{ref} check rms --x %t.x263.npy --scale %t.g263.npy --bias %t.b263.npy --eps 1e-6 --y %t.y1.npy | FileCheck %s --check-prefix=RMS263
// RMS263: rms [1031, 263]: 0 mismatches
// RUN: norm-runner %{cpu} -e layer_bf16 --target=gpu --input %t.xb263.npy --input %t.g263.npy --input %t.b1.npy --output %t.y2.npy
// RUN: %{ref} check layer --x %t.xb263.npy --scale %t.g263.npy --bias %t.b1.npy --eps 1e-5 --y %t.y2.npy --bf16 | FileCheck %s --check-prefix=LAYER263
// LAYER263: layer [2063, 263]: 0 mismatches
// RUN: norm-runner %{cpu} -e layer_f32_stream --target=gpu --input %t.x320.npy --input %t.g320.npy --input %t.b1.npy --output %t.y3.npy
// RUN: %{ref} check layer --x %t.x320.npy --scale %t.g320.npy --bias %t.b1.npy --eps 1e-5 --y %t.y3.npy | FileCheck %s --check-prefix=LAYER320
// LAYER320: layer [1031, 320]: 0 mismatches
// RUN: norm-runner %{cpu} -e rms_bf16_stream --target=gpu --input %t.xb288.npy --input %t.g288.npy --output %t.y4.npy
// RUN: %{ref} check rms --x %t.xb288.npy --scale %t.g288.npy --eps 1e-6 --y %t.y4.npy --bf16 | FileCheck %s --check-prefix=RMS288
// RMS288: rms [2063, 288]: 0 mismatches
// RUN: norm-runner %{cpu} -e layer_bf16_dynamic_stream --target=gpu --input %t.xb288.npy --input %t.g288.npy --input %t.b288.npy --output %t.y5.npy
// RUN: %{ref} check layer --x %t.xb288.npy --scale %t.g288.npy --bias %t.b288.npy --eps 1e-5 --y %t.y5.npy --bf16 | FileCheck %s --check-prefix=LAYER288
// LAYER288: layer [2063, 288]: 0 mismatches

// A block per row: 4100 f32 are 16 float4 chunks per thread of 256 (the last
// one partial), kept in registers.
// RUN: %{ref} random %t.x4100.npy 129x4100 --seed 11 --mean 3
// RUN: %{ref} random %t.g4100.npy 4100 --seed 12 --mean 1
// RUN: %{ref} random %t.b4100.npy 4100 --seed 13
// RUN: norm-runner %s -e layer_block --target=gpu --input %t.x4100.npy --input %t.g4100.npy --input %t.b4100.npy --output %t.y6.npy
// RUN: %{ref} check layer --x %t.x4100.npy --scale %t.g4100.npy --bias %t.b4100.npy --eps 1e-5 --y %t.y6.npy | FileCheck %s --check-prefix=BLOCK
// With 512 threads (16 warps).
// RUN: norm-runner %s -e layer_block --target=gpu --threads-per-block=512 --input %t.x4100.npy --input %t.g4100.npy --input %t.b4100.npy --output %t.y7.npy
// RUN: %{ref} check layer --x %t.x4100.npy --scale %t.g4100.npy --bias %t.b4100.npy --eps 1e-5 --y %t.y7.npy | FileCheck %s --check-prefix=BLOCK
// BLOCK: layer [129, 4100]: 0 mismatches
func.func @layer_block(%x: tensor<129x4100xf32>, %g: tensor<4100xf32>, %b: tensor<4100xf32>) -> tensor<129x4100xf32> {
  %y = norm.layer_norm %x scale(%g : tensor<4100xf32>) bias(%b : tensor<4100xf32>) : tensor<129x4100xf32> -> tensor<129x4100xf32>
  return %y : tensor<129x4100xf32>
}

// Rows too long for registers (more than 64 elements per thread), of a size
// known only at run time, are streamed from memory.
// RUN: %{ref} random %t.x20000.npy 33x20000 --seed 14 --bf16
// RUN: norm-runner %s -e rms_streamed --target=gpu --input %t.x20000.npy --output %t.y8.npy
// RUN: %{ref} check rms --x %t.x20000.npy --eps 1e-6 --y %t.y8.npy --bf16 | FileCheck %s --check-prefix=STREAMED
// STREAMED: rms [33, 20000]: 0 mismatches
func.func @rms_streamed(%x: tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.rms_norm %x : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
