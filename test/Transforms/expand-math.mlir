// RUN: norm-opt %s --norm-expand-math | FileCheck %s
// RUN: norm-opt %s --norm-expand-math=bf16=1 | FileCheck %s --check-prefix=BF16

// math.erf has no LLVM lowering: it becomes a polynomial, on scalars and on
// vectors; math ops that lower (tanh) stay.
// CHECK-LABEL: func @erf
// CHECK-NOT:     math.erf
// CHECK:         math.tanh
// CHECK-NOT:     math.erf
func.func @erf(%x: f32, %v: vector<8xf32>) -> (f32, f32, vector<8xf32>) {
  %0 = math.erf %x : f32
  %1 = math.tanh %x : f32
  %2 = math.erf %v : vector<8xf32>
  return %0, %1, %2 : f32, f32, vector<8xf32>
}

// With bf16, conversions from and to bf16 become integer arithmetic (LLVM 22
// narrows to bfloat with a library call per element on CPUs without
// avx512bf16); other float conversions stay.
// BF16-LABEL: func @bf16
// BF16-NOT:     arith.extf {{.*}}bf16
// BF16-NOT:     arith.truncf {{.*}}bf16
// BF16:         arith.truncf %{{.*}} : vector<16xf32> to vector<16xf16>
// BF16-NOT:     arith.truncf {{.*}}bf16
// CHECK-LABEL: func @bf16
// CHECK:         arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK:         arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
func.func @bf16(%x: vector<16xbf16>) -> (vector<16xbf16>, vector<16xf16>) {
  %w = arith.extf %x : vector<16xbf16> to vector<16xf32>
  %s = arith.mulf %w, %w : vector<16xf32>
  %n = arith.truncf %s : vector<16xf32> to vector<16xbf16>
  %h = arith.truncf %s : vector<16xf32> to vector<16xf16>
  return %n, %h : vector<16xbf16>, vector<16xf16>
}
