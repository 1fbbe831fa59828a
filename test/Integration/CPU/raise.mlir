// Decomposed normalizations give the same numbers JIT-compiled as they are
// and after norm-raise: each function runs on the same random inputs both
// ways; the raised run's results are compared with the unraised run's
// (relative L2 difference: the sums may be added in another order). Both
// runs go through convert-elementwise-to-linalg, since the runner's pipeline
// does not bufferize arith/math on tensors; the raised run raises first.

// RUN: norm-opt %s --norm-raise | FileCheck %s --check-prefix=RAISED
// RAISED-LABEL: func.func @rms_generic(
//       RAISED:   norm.rms_norm
//   RAISED-NOT:   linalg.generic
// RAISED-LABEL: func.func @ln_onnx(
//       RAISED:   norm.layer_norm
//   RAISED-NOT:   linalg.generic
// RAISED-LABEL: func.func @rms_bf16(
//       RAISED:   norm.rms_norm
//   RAISED-NOT:   linalg.reduce
// RAISED-LABEL: func.func @rms_div_dynamic(
//       RAISED:   norm.rms_norm
//   RAISED-NOT:   linalg.reduce
// RAISED-LABEL: func.func @ln_two_axes_statistics(
//       RAISED:   norm.layer_norm
//   RAISED-NOT:   linalg.reduce

// RUN: norm-opt %s --convert-elementwise-to-linalg | norm-runner - -e rms_generic --random-inputs --seed 7 --output %t.rms.npy
// RUN: norm-opt %s --norm-raise --convert-elementwise-to-linalg | norm-runner - -e rms_generic --random-inputs --seed 7 --compare %t.rms.npy | FileCheck %s --check-prefix=F32
// RUN: norm-opt %s --convert-elementwise-to-linalg | norm-runner - -e ln_onnx --random-inputs --seed 7 --output %t.ln.npy
// RUN: norm-opt %s --norm-raise --convert-elementwise-to-linalg | norm-runner - -e ln_onnx --random-inputs --seed 7 --compare %t.ln.npy | FileCheck %s --check-prefix=F32
// RUN: norm-opt %s --convert-elementwise-to-linalg | norm-runner - -e ln_two_axes_statistics --random-inputs --seed 7 --output %t.y.npy --output %t.mean.npy --output %t.inv.npy
// RUN: norm-opt %s --norm-raise --convert-elementwise-to-linalg | norm-runner - -e ln_two_axes_statistics --random-inputs --seed 7 --compare %t.y.npy --compare %t.mean.npy --compare %t.inv.npy | FileCheck %s --check-prefixes=F32,STATS
// RUN: norm-opt %s --convert-elementwise-to-linalg | norm-runner - -e rms_div_dynamic --random-inputs --seed 7 --shape=0=33x64 --output %t.div.npy
// RUN: norm-opt %s --norm-raise --convert-elementwise-to-linalg | norm-runner - -e rms_div_dynamic --random-inputs --seed 7 --shape=0=33x64 --compare %t.div.npy | FileCheck %s --check-prefix=F32
// F32: result #0: relative difference to {{.*}}: {{(0\.000e\+00|[0-9]\.[0-9]+e-(0[6-9]|[1-9][0-9]))}} (
// STATS: result #1: relative difference to {{.*}}: {{(0\.000e\+00|[0-9]\.[0-9]+e-(0[6-9]|[1-9][0-9]))}} (
// STATS: result #2: relative difference to {{.*}}: {{(0\.000e\+00|[0-9]\.[0-9]+e-(0[6-9]|[1-9][0-9]))}} (

// bf16 results: an element whose sum rounds differently may move by one bf16
// ulp (2^-8 relative).
// RUN: norm-opt %s --convert-elementwise-to-linalg | norm-runner - -e rms_bf16 --random-inputs --seed 7 --output %t.bf16.npy
// RUN: norm-opt %s --norm-raise --convert-elementwise-to-linalg | norm-runner - -e rms_bf16 --random-inputs --seed 7 --compare %t.bf16.npy | FileCheck %s --check-prefix=BF16
// BF16: result #0: relative difference to {{.*}}: {{(0\.000e\+00|[0-9]\.[0-9]+e-(0[4-9]|[1-9][0-9]))}} (

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#feature = affine_map<(d0, d1) -> (d1)>
#vec = affine_map<(d0) -> (d0)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#sum3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#keep3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#feature3 = affine_map<(d0, d1, d2) -> (d2)>

func.func @rms_generic(%x: tensor<64x256xf32>, %g: tensor<256xf32>) -> tensor<64x256xf32> {
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %e = tensor.empty() : tensor<64x256xf32>
  %er = tensor.empty() : tensor<64xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<64x256xf32>) outs(%e : tensor<64x256xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<64x256xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<64xf32>) -> tensor<64xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%sq : tensor<64x256xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  %mean = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%sum : tensor<64xf32>) outs(%er : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 3.906250e-03 : f32
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  %shifted = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%mean : tensor<64xf32>) outs(%er : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.addf %a, %eps : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  %r = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%shifted : tensor<64xf32>) outs(%er : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = math.rsqrt %a : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  %n = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<64x256xf32>, tensor<64xf32>) outs(%e : tensor<64x256xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<64x256xf32>
  %y = linalg.generic {indexing_maps = [#id, #feature, #id], iterator_types = ["parallel", "parallel"]} ins(%n, %g : tensor<64x256xf32>, tensor<256xf32>) outs(%e : tensor<64x256xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<64x256xf32>
  return %y : tensor<64x256xf32>
}

func.func @ln_onnx(%x: tensor<4x16x96xf32>, %g: tensor<96xf32>, %b: tensor<96xf32>) -> tensor<4x16x96xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16x96xf32>
  %es = tensor.empty() : tensor<4x16xf32>
  %ek = tensor.empty() : tensor<4x16x1xf32>
  %init = linalg.fill ins(%zero : f32) outs(%es : tensor<4x16xf32>) -> tensor<4x16xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #sum3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x16x96xf32>) outs(%init : tensor<4x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %sumk = tensor.expand_shape %sum [[0], [1, 2]] output_shape [4, 16, 1] : tensor<4x16xf32> into tensor<4x16x1xf32>
  %mean = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sumk : tensor<4x16x1xf32>) outs(%ek : tensor<4x16x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 96.0 : f32
    %m = arith.divf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<4x16x1xf32>
  %d = linalg.generic {indexing_maps = [#id3, #keep3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %mean : tensor<4x16x96xf32>, tensor<4x16x1xf32>) outs(%e : tensor<4x16x96xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %s = arith.subf %a, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x16x96xf32>
  %sq = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%d : tensor<4x16x96xf32>) outs(%e : tensor<4x16x96xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c2 = arith.constant 2.0 : f32
    %p = math.powf %a, %c2 : f32
    linalg.yield %p : f32
  } -> tensor<4x16x96xf32>
  %vsum = linalg.generic {indexing_maps = [#id3, #sum3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%sq : tensor<4x16x96xf32>) outs(%init : tensor<4x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  %vsumk = tensor.expand_shape %vsum [[0], [1, 2]] output_shape [4, 16, 1] : tensor<4x16xf32> into tensor<4x16x1xf32>
  %var = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%vsumk : tensor<4x16x1xf32>) outs(%ek : tensor<4x16x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 96.0 : f32
    %m = arith.divf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<4x16x1xf32>
  %shifted = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%var : tensor<4x16x1xf32>) outs(%ek : tensor<4x16x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 1.0e-5 : f32
    %m = arith.addf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<4x16x1xf32>
  %root = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%shifted : tensor<4x16x1xf32>) outs(%ek : tensor<4x16x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = math.sqrt %a : f32
    linalg.yield %m : f32
  } -> tensor<4x16x1xf32>
  %n = linalg.generic {indexing_maps = [#id3, #keep3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%d, %root : tensor<4x16x96xf32>, tensor<4x16x1xf32>) outs(%e : tensor<4x16x96xf32>) {
  ^bb0(%a: f32, %r: f32, %o: f32):
    %q = arith.divf %a, %r : f32
    linalg.yield %q : f32
  } -> tensor<4x16x96xf32>
  %scaled = linalg.generic {indexing_maps = [#id3, #feature3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%n, %g : tensor<4x16x96xf32>, tensor<96xf32>) outs(%e : tensor<4x16x96xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %m = arith.mulf %a, %w : f32
    linalg.yield %m : f32
  } -> tensor<4x16x96xf32>
  %y = linalg.generic {indexing_maps = [#id3, #feature3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%scaled, %b : tensor<4x16x96xf32>, tensor<96xf32>) outs(%e : tensor<4x16x96xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %m = arith.addf %a, %w : f32
    linalg.yield %m : f32
  } -> tensor<4x16x96xf32>
  return %y : tensor<4x16x96xf32>
}

func.func @rms_bf16(%x: tensor<32x128xbf16>, %g: tensor<128xbf16>) -> tensor<32x128xbf16> {
  %zero = arith.constant 0.0 : f32
  %xf = arith.extf %x : tensor<32x128xbf16> to tensor<32x128xf32>
  %gf = arith.extf %g : tensor<128xbf16> to tensor<128xf32>
  %sq = arith.mulf %xf, %xf : tensor<32x128xf32>
  %er = tensor.empty() : tensor<32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<32xf32>) -> tensor<32xf32>
  %sum = linalg.reduce ins(%sq : tensor<32x128xf32>) outs(%init : tensor<32xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<7.812500e-03> : tensor<32xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<32xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<32xf32>
  %shifted = arith.addf %mean, %eps : tensor<32xf32>
  %r = math.rsqrt %shifted : tensor<32xf32>
  %e = tensor.empty() : tensor<32x128xf32>
  %rb = linalg.broadcast ins(%r : tensor<32xf32>) outs(%e : tensor<32x128xf32>) dimensions = [1]
  %gb = linalg.broadcast ins(%gf : tensor<128xf32>) outs(%e : tensor<32x128xf32>) dimensions = [0]
  %n = arith.mulf %xf, %rb : tensor<32x128xf32>
  %s = arith.mulf %n, %gb : tensor<32x128xf32>
  %y = arith.truncf %s : tensor<32x128xf32> to tensor<32x128xbf16>
  return %y : tensor<32x128xbf16>
}

// x / sqrt(mean(x^2) + eps) on rows of a dynamic count: the op multiplies by
// rsqrt instead (a last-bit difference).
func.func @rms_div_dynamic(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 64.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %rows = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%rows) : tensor<?x64xf32>
  %er = tensor.empty(%rows) : tensor<?xf32>
  %sq = arith.mulf %x, %x : tensor<?x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.reduce ins(%sq : tensor<?x64xf32>) outs(%init : tensor<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %nt = linalg.fill ins(%n : f32) outs(%er : tensor<?xf32>) -> tensor<?xf32>
  %epst = linalg.fill ins(%eps : f32) outs(%er : tensor<?xf32>) -> tensor<?xf32>
  %mean = arith.divf %sum, %nt : tensor<?xf32>
  %shifted = arith.addf %mean, %epst : tensor<?xf32>
  %root = math.sqrt %shifted : tensor<?xf32>
  %b = linalg.broadcast ins(%root : tensor<?xf32>) outs(%e : tensor<?x64xf32>) dimensions = [1]
  %y = arith.divf %x, %b : tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// Normalizes dims 1 and 2; the mean and the inverse std are returned too.
func.func @ln_two_axes_statistics(%x: tensor<4x8x32xf32>) -> (tensor<4x8x32xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8x32xf32>
  %er = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %inv_n = arith.constant dense<3.906250e-03> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<4xf32>
  %sum = linalg.reduce ins(%x : tensor<4x8x32xf32>) outs(%init : tensor<4xf32>) dimensions = [1, 2]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %mb = linalg.broadcast ins(%mean : tensor<4xf32>) outs(%e : tensor<4x8x32xf32>) dimensions = [1, 2]
  %d = arith.subf %x, %mb : tensor<4x8x32xf32>
  %sq = arith.mulf %d, %d : tensor<4x8x32xf32>
  %sqsum = linalg.reduce ins(%sq : tensor<4x8x32xf32>) outs(%init : tensor<4xf32>) dimensions = [1, 2]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %var = arith.mulf %sqsum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %var, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8x32xf32>) dimensions = [1, 2]
  %y = arith.mulf %d, %rb : tensor<4x8x32xf32>
  return %y, %mean, %r : tensor<4x8x32xf32>, tensor<4xf32>, tensor<4xf32>
}
