// RUN: norm-opt %s --norm-expand-math | FileCheck %s
// RUN: norm-opt %s --norm-expand-math=bf16=1 | FileCheck %s --check-prefix=BF16

// math.erf has no LLVM lowering, and LLVM scalarizes exp, tanh, log into
// libm calls: they become polynomials, on scalars and on vectors, in f32
// (bf16 through f32); f64 keeps libm, and sqrt stays an instruction.
// CHECK-LABEL: func @approximated
// CHECK-NOT:     math.erf
// CHECK-NOT:     math.tanh
// CHECK-NOT:     math.log
// CHECK:         arith.extf %{{.*}} : vector<8xbf16> to vector<8xf32>
// CHECK-NOT:     math.exp %{{.*}} : vector<8xf32>
// CHECK:         arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK:         math.exp %{{.*}} : vector<4xf64>
// CHECK:         math.sqrt %{{.*}} : vector<8xf32>
func.func @approximated(%x: f32, %v: vector<8xf32>, %h: vector<8xbf16>, %d: vector<4xf64>) -> (f32, f32, vector<8xf32>, vector<8xf32>, vector<8xbf16>, vector<4xf64>, vector<8xf32>) {
  %0 = math.erf %x : f32
  %1 = math.tanh %x : f32
  %2 = math.erf %v : vector<8xf32>
  %3 = math.log %v : vector<8xf32>
  %4 = math.exp %h : vector<8xbf16>
  %5 = math.exp %d : vector<4xf64>
  %6 = math.sqrt %v : vector<8xf32>
  return %0, %1, %2, %3, %4, %5, %6 : f32, f32, vector<8xf32>, vector<8xf32>, vector<8xbf16>, vector<4xf64>, vector<8xf32>
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
