// The last case fails the pass (used statistics), so norm-opt exits non-zero
// while still printing every other case.
// RUN: not norm-opt %s --split-input-file --norm-set-kind=kind=rms | FileCheck %s --check-prefix=RMS
// RUN: not norm-opt %s --split-input-file --norm-set-kind=kind=layer | FileCheck %s --check-prefix=LAYER
// RUN: not norm-opt %s --split-input-file --norm-set-kind=kind=rms 2>&1 >/dev/null | FileCheck %s --check-prefix=RMS-ERR
// RUN: not norm-opt %s --split-input-file --norm-set-kind=kind=layer 2>&1 >/dev/null | FileCheck %s --check-prefix=LAYER-ERR
// RUN: not norm-opt %s --norm-set-kind=kind=batch 2>&1 | FileCheck %s --check-prefix=KIND
// KIND: unknown norm kind 'batch': expected rms or layer

// LayerNorm -> RMSNorm keeps gamma, epsilon, axes and compute type and drops
// beta; RMSNorm -> LayerNorm keeps everything and adds no bias.
// RMS-LABEL: func @layer
// RMS-SAME: %[[X:.*]]: tensor<?x128xf16>, %[[G:.*]]: tensor<128xf16>, %[[B:.*]]: tensor<128xf16>
// RMS: %[[Y:.*]] = norm.rms_norm %[[X]] scale(%[[G]] : tensor<128xf16>) {compute_type = f64, epsilon = 1.000000e-05 : f64} : tensor<?x128xf16> -> tensor<?x128xf16>
// RMS-NOT: norm.layer_norm
// RMS: return %[[Y]]
// LAYER-LABEL: func @layer
// LAYER-SAME: %[[X:.*]]: tensor<?x128xf16>, %[[G:.*]]: tensor<128xf16>, %[[B:.*]]: tensor<128xf16>
// LAYER: %[[Y:.*]] = norm.layer_norm %[[X]] scale(%[[G]] : tensor<128xf16>) bias(%[[B]] : tensor<128xf16>) {compute_type = f64} : tensor<?x128xf16> -> tensor<?x128xf16>
// LAYER: return %[[Y]]
func.func @layer(%x: tensor<?x128xf16>, %g: tensor<128xf16>, %b: tensor<128xf16>) -> tensor<?x128xf16> {
  %y = norm.layer_norm %x scale(%g : tensor<128xf16>) bias(%b : tensor<128xf16>) {compute_type = f64} : tensor<?x128xf16> -> tensor<?x128xf16>
  return %y : tensor<?x128xf16>
}

// -----

// RMS-LABEL: func @rms
// RMS-SAME: %[[X:.*]]: tensor<4x64xf32>, %[[G:.*]]: tensor<64xf32>
// RMS: %[[Y:.*]] = norm.rms_norm %[[X]] scale(%[[G]] : tensor<64xf32>) {axes = array<i64: 1>} : tensor<4x64xf32> -> tensor<4x64xf32>
// RMS: return %[[Y]]
// LAYER-LABEL: func @rms
// LAYER-SAME: %[[X:.*]]: tensor<4x64xf32>, %[[G:.*]]: tensor<64xf32>
// LAYER: %[[Y:.*]] = norm.layer_norm %[[X]] scale(%[[G]] : tensor<64xf32>) {axes = array<i64: 1>, epsilon = 9.9999999999999995E-7 : f64} : tensor<4x64xf32> -> tensor<4x64xf32>
// LAYER: return %[[Y]]
func.func @rms(%x: tensor<4x64xf32>, %g: tensor<64xf32>) -> tensor<4x64xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<64xf32>) {axes = array<i64: 1>} : tensor<4x64xf32> -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

// Every operand and attribute of an RMSNorm carries over to the LayerNorm:
// scale, bias, per-feature epsilon (each broadcasting differently), several
// axes, epsilon and compute type; the LayerNorm is left as it is by
// kind=layer, and the RMSNorm by kind=rms.
// RMS-LABEL: func @rms_all_operands
// RMS-SAME: %[[X:.*]]: tensor<2x?x64xbf16>, %[[G:.*]]: tensor<1x64xf32>, %[[B:.*]]: tensor<?x64xbf16>, %[[E:.*]]: tensor<?x1xf32>
// RMS: %[[Y:.*]] = norm.rms_norm %[[X]] scale(%[[G]] : tensor<1x64xf32>) bias(%[[B]] : tensor<?x64xbf16>) feature_epsilon(%[[E]] : tensor<?x1xf32>) {axes = array<i64: -2, -1>, compute_type = f64, epsilon = 1.000000e-03 : f64} : tensor<2x?x64xbf16> -> tensor<2x?x64xbf16>
// RMS: return %[[Y]]
// LAYER-LABEL: func @rms_all_operands
// LAYER-SAME: %[[X:.*]]: tensor<2x?x64xbf16>, %[[G:.*]]: tensor<1x64xf32>, %[[B:.*]]: tensor<?x64xbf16>, %[[E:.*]]: tensor<?x1xf32>
// LAYER: %[[Y:.*]] = norm.layer_norm %[[X]] scale(%[[G]] : tensor<1x64xf32>) bias(%[[B]] : tensor<?x64xbf16>) feature_epsilon(%[[E]] : tensor<?x1xf32>) {axes = array<i64: -2, -1>, compute_type = f64, epsilon = 1.000000e-03 : f64} : tensor<2x?x64xbf16> -> tensor<2x?x64xbf16>
// LAYER-NOT: norm.rms_norm
// LAYER: return %[[Y]]
func.func @rms_all_operands(%x: tensor<2x?x64xbf16>, %g: tensor<1x64xf32>, %b: tensor<?x64xbf16>, %e: tensor<?x1xf32>) -> tensor<2x?x64xbf16> {
  %y = norm.rms_norm %x scale(%g : tensor<1x64xf32>) bias(%b : tensor<?x64xbf16>) feature_epsilon(%e : tensor<?x1xf32>) {axes = array<i64: -2, -1>, epsilon = 1.0e-3 : f64, compute_type = f64} : tensor<2x?x64xbf16> -> tensor<2x?x64xbf16>
  return %y : tensor<2x?x64xbf16>
}

// -----

// The other way, only beta goes: gamma and the per-feature epsilon stay.
// RMS-LABEL: func @layer_all_operands
// RMS-SAME: %[[X:.*]]: tensor<8x32xf32>, %[[G:.*]]: tensor<32xf32>, %[[B:.*]]: tensor<1xf32>, %[[E:.*]]: tensor<32xf16>
// RMS: %[[Y:.*]] = norm.rms_norm %[[X]] scale(%[[G]] : tensor<32xf32>) feature_epsilon(%[[E]] : tensor<32xf16>) {epsilon = 0.000000e+00 : f64} : tensor<8x32xf32> -> tensor<8x32xf32>
// RMS-NOT: norm.layer_norm
// RMS: return %[[Y]]
// LAYER-LABEL: func @layer_all_operands
// LAYER-SAME: %[[X:.*]]: tensor<8x32xf32>, %[[G:.*]]: tensor<32xf32>, %[[B:.*]]: tensor<1xf32>, %[[E:.*]]: tensor<32xf16>
// LAYER: %[[Y:.*]] = norm.layer_norm %[[X]] scale(%[[G]] : tensor<32xf32>) bias(%[[B]] : tensor<1xf32>) feature_epsilon(%[[E]] : tensor<32xf16>) {epsilon = 0.000000e+00 : f64} : tensor<8x32xf32> -> tensor<8x32xf32>
// LAYER: return %[[Y]]
func.func @layer_all_operands(%x: tensor<8x32xf32>, %g: tensor<32xf32>, %b: tensor<1xf32>, %e: tensor<32xf16>) -> tensor<8x32xf32> {
  %y = norm.layer_norm %x scale(%g : tensor<32xf32>) bias(%b : tensor<1xf32>) feature_epsilon(%e : tensor<32xf16>) {epsilon = 0.0 : f64} : tensor<8x32xf32> -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

// An RMSNorm with a bias only (no scale) keeps it.
// LAYER-LABEL: func @rms_bias_only
// LAYER-SAME: %[[X:.*]]: tensor<3x16xf16>, %[[B:.*]]: tensor<16xf16>
// LAYER: %[[Y:.*]] = norm.layer_norm %[[X]] bias(%[[B]] : tensor<16xf16>) {epsilon = 9.9999999999999995E-7 : f64} : tensor<3x16xf16> -> tensor<3x16xf16>
// LAYER: return %[[Y]]
// RMS-LABEL: func @rms_bias_only
// RMS: norm.rms_norm %{{.*}} bias(%{{.*}} : tensor<16xf16>) : tensor<3x16xf16> -> tensor<3x16xf16>
func.func @rms_bias_only(%x: tensor<3x16xf16>, %b: tensor<16xf16>) -> tensor<3x16xf16> {
  %y = norm.rms_norm %x bias(%b : tensor<16xf16>) : tensor<3x16xf16> -> tensor<3x16xf16>
  return %y : tensor<3x16xf16>
}

// -----

// Unused statistics are dropped, in both directions; each op is rewritten
// wherever it is nested, and uses of its output follow the new op.
// RMS-LABEL: func @unused_statistics
// RMS-SAME: %[[X:.*]]: tensor<4x64xf32>, %[[C:.*]]: i1
// RMS: %[[Y:.*]] = norm.rms_norm %[[X]] {epsilon = 1.000000e-05 : f64} : tensor<4x64xf32> -> tensor<4x64xf32>
// RMS: %[[R:.*]] = scf.if %[[C]]
// RMS:   %[[Z:[^,]*]], %{{.*}} = norm.rms_norm %[[Y]] : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4x1xf32>
// RMS:   scf.yield %[[Z]]
// RMS: return %[[R]]
// LAYER-LABEL: func @unused_statistics
// LAYER-SAME: %[[X:.*]]: tensor<4x64xf32>, %[[C:.*]]: i1
// LAYER: %[[Y:[^,]*]], %{{.*}} = norm.layer_norm %[[X]] : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4x1xf32>, tensor<4x1xf32>
// LAYER: %[[R:.*]] = scf.if %[[C]]
// LAYER:   %[[Z:.*]] = norm.layer_norm %[[Y]] {epsilon = 9.9999999999999995E-7 : f64} : tensor<4x64xf32> -> tensor<4x64xf32>
// LAYER:   scf.yield %[[Z]]
// LAYER: return %[[R]]
func.func @unused_statistics(%x: tensor<4x64xf32>, %c: i1) -> tensor<4x64xf32> {
  %y, %m, %s = norm.layer_norm %x : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4x1xf32>, tensor<4x1xf32>
  %r = scf.if %c -> tensor<4x64xf32> {
    %z, %inv = norm.rms_norm %y : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4x1xf32>
    scf.yield %z : tensor<4x64xf32>
  } else {
    scf.yield %y : tensor<4x64xf32>
  }
  return %r : tensor<4x64xf32>
}

// -----

// Used statistics have no counterpart: the pass fails on them, in either
// direction, and leaves the ops of the other kind alone.
// RMS-ERR: error: 'norm.layer_norm' op cannot change the norm kind: its statistics results are used
// RMS-ERR-NOT: error
// LAYER-ERR: error: 'norm.rms_norm' op cannot change the norm kind: its statistics results are used
// LAYER-ERR-NOT: error
func.func @used_statistics(%x: tensor<4x64xf32>) -> (tensor<4x1xf32>, tensor<4x1xf32>) {
  %y, %m, %s = norm.layer_norm %x : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4x1xf32>, tensor<4x1xf32>
  %z, %inv = norm.rms_norm %x : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4x1xf32>
  return %m, %inv : tensor<4x1xf32>, tensor<4x1xf32>
}
