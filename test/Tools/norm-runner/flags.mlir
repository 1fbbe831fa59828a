// Each norm-runner flag, on a LayerNorm of 4 rows of 8 features.

// --output writes .npy files that --input reads back (bf16 results are
// written as f32 and read back into a bf16 argument).
// RUN: norm-runner %s -e make --output %t.x.npy --output %t.xbf16.npy
// RUN: norm-runner %s -e plain --input %t.x.npy --print | FileCheck %s --check-prefix=ROUNDTRIP
// ROUNDTRIP: result #0: tensor<4x8xf32> shape [4, 8]
// ROUNDTRIP-NEXT: {{\[\[}}   -1.52753,   -1.09109,  -0.654654,  -0.218218,   0.218218,   0.654654,    1.09109,    1.52753],
// RUN: norm-runner %s -e bf16 --input %t.xbf16.npy --print | FileCheck %s --check-prefix=BF16
// BF16: result #0: tensor<4x8xbf16> shape [4, 8]
// BF16-NEXT: {{\[\[}}   -1.53125,   -1.09375,   -0.65625,  -0.217773,   0.217773,    0.65625,    1.09375,    1.53125],

// --norm switches the kind, --param-stats counts gamma (and beta).
// RUN: norm-runner %s -e make --param-stats | FileCheck %s --check-prefix=NONE
// NONE: normalization parameters: 0 in 0 norm ops
// RUN: norm-runner %s --param-stats --random-inputs | FileCheck %s --check-prefix=LAYER
// LAYER: norm.layer_norm: 16 parameters (scale 8, bias 8, feature_epsilon 0)
// LAYER: normalization parameters: 16 in 1 norm ops
// RUN: norm-runner %s --norm=rms --param-stats --random-inputs | FileCheck %s --check-prefix=RMS
// RUN: norm-runner %s --norm=layer --param-stats --random-inputs | FileCheck %s --check-prefix=LAYER
// RMS: norm.rms_norm: 8 parameters (scale 8, bias 0, feature_epsilon 0)
// RMS: normalization parameters: 8 in 1 norm ops
// RUN: not norm-runner %s --norm=batch --random-inputs 2>&1 | FileCheck %s --check-prefix=KIND
// KIND: for the --norm option: Cannot find option named 'batch'!

// --summary and --bench report shapes, values, times and bandwidth.
// RUN: norm-runner %s --random-inputs --seed 1 --summary --bench 3 | FileCheck %s --check-prefix=SUMMARY
// SUMMARY: result #0: tensor<4x8xf32> shape [4, 8] first [{{.*}}] sum {{.*}} mean|x| {{.*}}
// SUMMARY: compile {{[0-9.]+}} s, first run {{[0-9.]+}} ms
// SUMMARY: bench: 3 runs, median {{[0-9.]+}} ms, min {{[0-9.]+}} ms, {{[0-9.]+}} GB/s (320 bytes read + written per run)
// RUN: norm-runner %s --random-inputs --bench 1 --bench-warmup 0 | FileCheck %s --check-prefix=NOWARMUP
// NOWARMUP: bench: 1 runs, median {{[0-9.]+}} ms

// One thread, another vector size and -O0 compute the same values.
// RUN: norm-runner %s --random-inputs --seed 5 --print > %t.default
// RUN: norm-runner %s --random-inputs --seed 5 --print --parallel=false --vector-size=4 -O0 > %t.other
// RUN: diff %t.default %t.other
// RUN: norm-runner %s --random-inputs --vector-size=4 --dump-lowered 2>&1 >/dev/null | FileCheck %s --check-prefix=LOWERED
// LOWERED: llvm.func @main
// LOWERED: vector<4xf32>

// Different seeds give different data.
// RUN: norm-runner %s --random-inputs --seed 6 --print > %t.seed6
// RUN: not diff %t.default %t.seed6

func.func @main(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %y = norm.layer_norm %x scale(%g : tensor<8xf32>) bias(%b : tensor<8xf32>) {epsilon = 0.0 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func @plain(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.layer_norm %x {epsilon = 0.0 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func @bf16(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %y = norm.layer_norm %x {epsilon = 0.0 : f64} : tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// Rows 0..7, 8..15, ...: each row normalizes to (k - 3.5) / sqrt(5.25).
func.func @make() -> (tensor<4x8xf32>, tensor<4x8xbf16>) {
  %x = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
                             [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
                             [16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0],
                             [24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0]]> : tensor<4x8xf32>
  %b = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
                             [8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
                             [16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0],
                             [24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0]]> : tensor<4x8xbf16>
  return %x, %b : tensor<4x8xf32>, tensor<4x8xbf16>
}
