// REQUIRES: gpu
// --bench on the GPU prints event-timed GB/s next to a same-run device copy;
// the first run's result matches the float64 reference.
// DEFINE: %{ref} = %python %S/../CPU/Inputs/norm_reference.py
// RUN: %{ref} random %t.x.npy 1024x4096 --seed 1
// RUN: %{ref} random %t.g.npy 4096 --seed 2 --mean 1
// RUN: norm-runner %s --target=gpu --input %t.x.npy --input %t.g.npy --output %t.y.npy --bench 20 | FileCheck %s
// CHECK: bench: 20 runs on {{.+}}, median {{[0-9.]+}} ms, min {{[0-9.]+}} ms, {{[0-9.]+}} GB/s ({{[0-9]+}} bytes read + written per run, {{[0-9]+}} input copies rotated); device copy of the same bytes {{[0-9.]+}} GB/s; ratio {{[0-9.]+}}
// RUN: %{ref} check rms --x %t.x.npy --scale %t.g.npy --eps 1e-6 --y %t.y.npy | FileCheck %s --check-prefix=VALUES
// VALUES: rms [1024, 4096]: 0 mismatches
func.func @main(%x: tensor<?x4096xf32>, %g: tensor<4096xf32>) -> tensor<?x4096xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<4096xf32>) : tensor<?x4096xf32> -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
