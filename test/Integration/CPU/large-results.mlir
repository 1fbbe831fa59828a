// Results of 1 MiB or more (where norm-streaming-stores rewrites full-vector
// writes into non-temporal stores), JIT-run on seeded random data and
// compared with the float64 reference (Inputs/norm_reference.py: plain
// Python, no numpy needed). Rows of 263 elements are a multiple neither of
// the vector size nor of 64 bytes (masked tiles, no streaming); rows of
// 288 bf16 / 320 f32 are (every tile streams), over an odd number of rows.
// DEFINE: %{ref} = %python %S/Inputs/norm_reference.py
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

// The non-temporal stores are there (vector sizes as in the runs below);
// bf16 ones store their bits as i16 (norm-half-vector-stores).
// RUN: norm-opt %s --norm-lower-to-cpu=vector-size=64 | FileCheck %s --check-prefix=STREAM64
// RUN: norm-opt %s --norm-lower-to-cpu=vector-size=32 | FileCheck %s --check-prefix=STREAM32
// RUN: norm-opt %s --norm-lower-to-cpu='vector-size=64 streaming-min-bytes=1073741824' | FileCheck %s --check-prefix=NOSTREAM
// NOSTREAM-NOT: nontemporal
// STREAM64-LABEL: llvm.func @rms_f32(
//   STREAM64-NOT: nontemporal
// STREAM64-LABEL: llvm.func @layer_bf16(
//   STREAM64-NOT: nontemporal
// STREAM64-LABEL: llvm.func @layer_f32_stream(
//       STREAM64: llvm.store {{.*}} {alignment = 64 : i64, nontemporal} : vector<64xf32>, !llvm.ptr
// STREAM32-LABEL: llvm.func @rms_bf16_stream(
//       STREAM32: llvm.store {{.*}} {alignment = 64 : i64, nontemporal} : vector<32xi16>, !llvm.ptr
// STREAM32-LABEL: llvm.func @layer_bf16_dynamic_stream(
//       STREAM32: llvm.store {{.*}} {alignment = 64 : i64, nontemporal} : vector<32xi16>, !llvm.ptr

// RUN: norm-runner %s -e rms_f32 --vector-size=64 --input %t.x263.npy --input %t.g263.npy --input %t.b263.npy --output %t.y1.npy
// RUN: %{ref} check rms --x %t.x263.npy --scale %t.g263.npy --bias %t.b263.npy --eps 1e-6 --y %t.y1.npy | FileCheck %s --check-prefix=RMS263
// RMS263: rms [1031, 263]: 0 mismatches
func.func @rms_f32(%x: tensor<1031x263xf32>, %g: tensor<263xf32>, %b: tensor<263xf32>) -> tensor<1031x263xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<263xf32>) bias(%b : tensor<263xf32>) : tensor<1031x263xf32> -> tensor<1031x263xf32>
  return %y : tensor<1031x263xf32>
}

// RUN: norm-runner %s -e layer_bf16 --vector-size=64 --input %t.xb263.npy --input %t.g263.npy --input %t.b1.npy --output %t.y2.npy
// RUN: %{ref} check layer --x %t.xb263.npy --scale %t.g263.npy --bias %t.b1.npy --eps 1e-5 --y %t.y2.npy --bf16 | FileCheck %s --check-prefix=LAYER263
// LAYER263: layer [2063, 263]: 0 mismatches
func.func @layer_bf16(%x: tensor<2063x263xbf16>, %g: tensor<263xbf16>, %b: tensor<1xf32>) -> tensor<2063x263xbf16> {
  %y = norm.layer_norm %x scale(%g : tensor<263xbf16>) bias(%b : tensor<1xf32>) : tensor<2063x263xbf16> -> tensor<2063x263xbf16>
  return %y : tensor<2063x263xbf16>
}

// Inputs of mean 2: LayerNorm's one-pass sums are taken about the row's
// first element.
// RUN: norm-runner %s -e layer_f32_stream --vector-size=64 --input %t.x320.npy --input %t.g320.npy --input %t.b1.npy --output %t.y3.npy
// RUN: %{ref} check layer --x %t.x320.npy --scale %t.g320.npy --bias %t.b1.npy --eps 1e-5 --y %t.y3.npy | FileCheck %s --check-prefix=LAYER320
// One thread: the rows run in order.
// RUN: norm-runner %s -e layer_f32_stream --vector-size=64 --parallel=false --input %t.x320.npy --input %t.g320.npy --input %t.b1.npy --output %t.y3s.npy
// RUN: %{ref} check layer --x %t.x320.npy --scale %t.g320.npy --bias %t.b1.npy --eps 1e-5 --y %t.y3s.npy | FileCheck %s --check-prefix=LAYER320
// LAYER320: layer [1031, 320]: 0 mismatches
func.func @layer_f32_stream(%x: tensor<1031x320xf32>, %g: tensor<320xf32>, %b: tensor<1xf32>) -> tensor<1031x320xf32> {
  %y = norm.layer_norm %x scale(%g : tensor<320xf32>) bias(%b : tensor<1xf32>) : tensor<1031x320xf32> -> tensor<1031x320xf32>
  return %y : tensor<1031x320xf32>
}

// RUN: norm-runner %s -e rms_bf16_stream --vector-size=32 --input %t.xb288.npy --input %t.g288.npy --output %t.y4.npy
// RUN: %{ref} check rms --x %t.xb288.npy --scale %t.g288.npy --eps 1e-6 --y %t.y4.npy --bf16 | FileCheck %s --check-prefix=RMS288
// RMS288: rms [2063, 288]: 0 mismatches
func.func @rms_bf16_stream(%x: tensor<2063x288xbf16>, %g: tensor<288xbf16>) -> tensor<2063x288xbf16> {
  %y = norm.rms_norm %x scale(%g : tensor<288xbf16>) : tensor<2063x288xbf16> -> tensor<2063x288xbf16>
  return %y : tensor<2063x288xbf16>
}

// A result of dynamic size streams whatever its size.
// RUN: norm-runner %s -e layer_bf16_dynamic_stream --vector-size=32 --input %t.xb288.npy --input %t.g288.npy --input %t.b288.npy --output %t.y5.npy
// RUN: %{ref} check layer --x %t.xb288.npy --scale %t.g288.npy --bias %t.b288.npy --eps 1e-5 --y %t.y5.npy --bf16 | FileCheck %s --check-prefix=LAYER288
// LAYER288: layer [2063, 288]: 0 mismatches
func.func @layer_bf16_dynamic_stream(%x: tensor<?x288xbf16>, %g: tensor<288xbf16>, %b: tensor<288xbf16>) -> tensor<?x288xbf16> {
  %y = norm.layer_norm %x scale(%g : tensor<288xbf16>) bias(%b : tensor<288xbf16>) : tensor<?x288xbf16> -> tensor<?x288xbf16>
  return %y : tensor<?x288xbf16>
}
