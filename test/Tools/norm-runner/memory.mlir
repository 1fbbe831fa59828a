// norm-runner holds each argument and result once: .npy data is read
// straight into the buffers the JIT code takes, results are written from
// where the JIT code left them. The peak RSS after compiling stays within
// 1.1x the bytes of the arguments and results (64 MiB each here); copies of
// either would take it to 1.5x or more (the old runner: about 2.5x).
// RUN: norm-runner %s -e copy --random-inputs --output %t.x.npy
// RUN: norm-runner %s --input %t.x.npy --output %t.y.npy --report-memory > %t.memory
// RUN: FileCheck %s < %t.memory
// CHECK: memory: peak RSS {{[0-9]+}} MiB, {{[0-9]+}} MiB above the {{[0-9]+}} MiB after compiling {{.*}}; arguments 64 MiB + results 64 MiB; ratio {{[0-9.]+}}
// RUN: awk '/^memory:/ { found = 1; ratio = $NF } END { if (!found || ratio > 1.1) { print "peak memory ratio " ratio " > 1.1"; exit 1 } }' %t.memory
// RUN: rm %t.x.npy %t.y.npy

func.func @main(%x: tensor<4096x4096xf32>) -> tensor<4096x4096xf32> {
  %y = norm.rms_norm %x : tensor<4096x4096xf32> -> tensor<4096x4096xf32>
  return %y : tensor<4096x4096xf32>
}

func.func @copy(%x: tensor<4096x4096xf32>) -> tensor<4096x4096xf32> {
  return %x : tensor<4096x4096xf32>
}
