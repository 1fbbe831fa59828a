// Contractions through norm-vectorize's packed panels and register blocks,
// JIT-run on seeded random data and compared with the float64 reference
// (Inputs/norm_reference.py). 37 x 300 x 80: every block has a tail (rows
// 37 = 6 * 6 + 1, depth 300 = 256 + 44, columns 80 = 2 * 32 + 16 and, with
// threads, tasks of 64 + 16 columns); M dynamic, also below one register
// block; batched; B transposed; register blocks of AVX2's width
// (--vector-size=32); one thread and all cores.
// DEFINE: %{ref} = %python %S/Inputs/norm_reference.py
// RUN: %{ref} random %t.a.npy 37x300 --seed 1
// RUN: %{ref} random %t.b.npy 300x80 --seed 2
// RUN: %{ref} random %t.bt.npy 80x300 --seed 3
// RUN: %{ref} random %t.a5.npy 5x300 --seed 4
// RUN: %{ref} random %t.ba.npy 3x37x20 --seed 5
// RUN: %{ref} random %t.bb.npy 3x20x50 --seed 6

// RUN: norm-runner %s -e tails --parallel=false --input %t.a.npy --input %t.b.npy --output %t.y1.npy
// RUN: %{ref} matmul --a %t.a.npy --b %t.b.npy --y %t.y1.npy | FileCheck %s --check-prefix=TAILS
// RUN: norm-runner %s -e tails --input %t.a.npy --input %t.b.npy --output %t.y2.npy
// RUN: %{ref} matmul --a %t.a.npy --b %t.b.npy --y %t.y2.npy | FileCheck %s --check-prefix=TAILS
// RUN: norm-runner %s -e tails --vector-size=32 --input %t.a.npy --input %t.b.npy --output %t.y3.npy
// RUN: %{ref} matmul --a %t.a.npy --b %t.b.npy --y %t.y3.npy | FileCheck %s --check-prefix=TAILS
// TAILS: matmul [37, 80]: 0 mismatches
func.func @tails(%a: tensor<37x300xf32>, %b: tensor<300x80xf32>) -> tensor<37x80xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x80xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<37x80xf32>) -> tensor<37x80xf32>
  %r = linalg.matmul ins(%a, %b : tensor<37x300xf32>, tensor<300x80xf32>) outs(%f : tensor<37x80xf32>) -> tensor<37x80xf32>
  return %r : tensor<37x80xf32>
}

// RUN: norm-runner %s -e dynamic --parallel=false --input %t.a.npy --input %t.b.npy --output %t.y4.npy
// RUN: %{ref} matmul --a %t.a.npy --b %t.b.npy --y %t.y4.npy | FileCheck %s --check-prefix=TAILS
// RUN: norm-runner %s -e dynamic --input %t.a.npy --input %t.b.npy --output %t.y5.npy
// RUN: %{ref} matmul --a %t.a.npy --b %t.b.npy --y %t.y5.npy | FileCheck %s --check-prefix=TAILS
// RUN: norm-runner %s -e dynamic --input %t.a5.npy --input %t.b.npy --output %t.y6.npy
// RUN: %{ref} matmul --a %t.a5.npy --b %t.b.npy --y %t.y6.npy | FileCheck %s --check-prefix=SHORT
// SHORT: matmul [5, 80]: 0 mismatches
func.func @dynamic(%a: tensor<?x300xf32>, %b: tensor<300x80xf32>) -> tensor<?x80xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x300xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x80xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x80xf32>) -> tensor<?x80xf32>
  %r = linalg.matmul ins(%a, %b : tensor<?x300xf32>, tensor<300x80xf32>) outs(%f : tensor<?x80xf32>) -> tensor<?x80xf32>
  return %r : tensor<?x80xf32>
}

// RUN: norm-runner %s -e batched --parallel=false --input %t.ba.npy --input %t.bb.npy --output %t.y7.npy
// RUN: %{ref} matmul --a %t.ba.npy --b %t.bb.npy --y %t.y7.npy | FileCheck %s --check-prefix=BATCH
// RUN: norm-runner %s -e batched --input %t.ba.npy --input %t.bb.npy --output %t.y8.npy
// RUN: %{ref} matmul --a %t.ba.npy --b %t.bb.npy --y %t.y8.npy | FileCheck %s --check-prefix=BATCH
// BATCH: matmul [3, 37, 50]: 0 mismatches
func.func @batched(%a: tensor<3x37x20xf32>, %b: tensor<3x20x50xf32>) -> tensor<3x37x50xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x37x50xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<3x37x50xf32>) -> tensor<3x37x50xf32>
  %r = linalg.batch_matmul ins(%a, %b : tensor<3x37x20xf32>, tensor<3x20x50xf32>) outs(%f : tensor<3x37x50xf32>) -> tensor<3x37x50xf32>
  return %r : tensor<3x37x50xf32>
}

// RUN: norm-runner %s -e transposed_b --parallel=false --input %t.a.npy --input %t.bt.npy --output %t.y9.npy
// RUN: %{ref} matmul --a %t.a.npy --b %t.bt.npy --transpose-b --y %t.y9.npy | FileCheck %s --check-prefix=TAILS
// RUN: norm-runner %s -e transposed_b --input %t.a.npy --input %t.bt.npy --output %t.y10.npy
// RUN: %{ref} matmul --a %t.a.npy --b %t.bt.npy --transpose-b --y %t.y10.npy | FileCheck %s --check-prefix=TAILS
func.func @transposed_b(%a: tensor<37x300xf32>, %b: tensor<80x300xf32>) -> tensor<37x80xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x80xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<37x80xf32>) -> tensor<37x80xf32>
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %b : tensor<37x300xf32>, tensor<80x300xf32>) outs(%f : tensor<37x80xf32>) -> tensor<37x80xf32>
  return %r : tensor<37x80xf32>
}
