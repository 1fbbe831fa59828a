// Outputs are written to a temporary file next to the destination and
// renamed over it once complete: a failed or interrupted run leaves no
// partial .npy and never clobbers an existing one.
// RUN: rm -rf %t && mkdir -p %t

// An output path equal to an input path works: inputs are read in full
// before any output is written.
// RUN: norm-runner %s -e copy --random-inputs --seed 3 --output %t/x.npy
// RUN: norm-runner %s --input %t/x.npy --output %t/y.npy
// RUN: cp %t/x.npy %t/same.npy
// RUN: norm-runner %s --input %t/same.npy --output %t/same.npy
// RUN: cmp %t/y.npy %t/same.npy

// A failing run (here: the input has the wrong shape) leaves an existing
// output as it was and creates no new one.
// RUN: echo "precious" > %t/keep.npy
// RUN: norm-runner %s -e wide --random-inputs --output %t/wide.npy
// RUN: not norm-runner %s --input %t/wide.npy --output %t/new.npy 2>&1 | FileCheck %s --check-prefix=FAILED
// FAILED: error: argument #0 expects shape [4, 8] (tensor<4x8xf32>), got [4, 9]
// RUN: not ls %t/new.npy

// Several outputs are renamed only once all are written: the second
// failing, the first is not replaced either.
// RUN: not norm-runner %s -e two --random-inputs --output %t/keep.npy --output %t/missing/y.npy 2>&1 | FileCheck %s --check-prefix=NODIR
// NODIR: error: cannot write '{{.*}}missing/y.npy': No such file or directory
// RUN: echo "precious" | cmp - %t/keep.npy

// A run killed while writing (the file size limit sends SIGXFSZ) removes its
// temporary file and leaves the destination alone.
// RUN: bash -c 'ulimit -f 4 && exec norm-runner %s -e big --random-inputs --output %t/keep.npy'; test $? -ne 0
// RUN: echo "precious" | cmp - %t/keep.npy
// RUN: ls %t | FileCheck %s --check-prefix=FILES --implicit-check-not=tmp
// FILES: keep.npy

func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.rms_norm %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func @copy(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  return %x : tensor<4x8xf32>
}

func.func @two(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  return %x, %x : tensor<4x8xf32>, tensor<4x8xf32>
}

func.func @wide(%x: tensor<4x9xf32>) -> tensor<4x9xf32> {
  return %x : tensor<4x9xf32>
}

func.func @big(%x: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  return %x : tensor<64x1024xf32>
}
