// REQUIRES: gpu
// --bench on the GPU prints event-timed GB/s next to a same-run device copy.
// RUN: norm-runner %s --target=gpu --random-inputs --shape 0=1024x4096 --bench 20 | FileCheck %s
// CHECK: bench: 20 runs on {{.+}}, median {{[0-9.]+}} ms, min {{[0-9.]+}} ms, {{[0-9.]+}} GB/s ({{[0-9]+}} bytes read + written per run, {{[0-9]+}} input copies rotated); device copy of the same bytes {{[0-9.]+}} GB/s; ratio {{[0-9.]+}}
func.func @main(%x: tensor<?x4096xf32>, %g: tensor<4096xf32>) -> tensor<?x4096xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<4096xf32>) : tensor<?x4096xf32> -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}
