// RUN: norm-opt %s --split-input-file --verify-diagnostics

func.func @empty_axes(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects at least one normalized axis}}
  %y = norm.rms_norm %x {axes = array<i64>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @axis_out_of_range(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op expects axes in [-2, 2) for an input of rank 2, got 2}}
  %y = norm.layer_norm %x {axes = array<i64: 2>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @negative_axis_out_of_range(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects axes in [-2, 2) for an input of rank 2, got -3}}
  %y = norm.rms_norm %x {axes = array<i64: -3>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @rank_zero_input(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'norm.rms_norm' op expects axes in [0, 0) for an input of rank 0, got -1}}
  %y = norm.rms_norm %x : tensor<f32> -> tensor<f32>
  return %y : tensor<f32>
}

// -----

func.func @duplicate_axes(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects distinct axes, got axis 1 twice}}
  %y = norm.rms_norm %x {axes = array<i64: 1, -1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @negative_epsilon(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op expects a finite, non-negative epsilon, got -1.000000e-05}}
  %y = norm.layer_norm %x {epsilon = -1.0e-5 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @infinite_epsilon(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects a finite, non-negative epsilon, got INF}}
  %y = norm.rms_norm %x {epsilon = 0x7FF0000000000000 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @narrow_compute_type(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects a compute type wider than or equal to the input element type 'f32', got 'f16'}}
  %y = norm.rms_norm %x {compute_type = f16} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @same_width_other_compute_type(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{'norm.layer_norm' op expects a compute type wider than or equal to the input element type 'bf16', got 'f16'}}
  %y = norm.layer_norm %x {compute_type = f16} : tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

func.func @unsupported_compute_type(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'norm.rms_norm' op expects compute type f16, bf16, f32 or f64, got 'tf32'}}
  %y = norm.rms_norm %x {compute_type = tf32} : tensor<4x8xf16> -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

func.func @scale_rank(%x: tensor<4x8xf32>, %g: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects 'scale' of rank 1 (one dim per normalized axis), got rank 2}}
  %y = norm.rms_norm %x scale(%g : tensor<4x8xf32>) : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @scale_dim(%x: tensor<4x8xf32>, %g: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op expects dim 0 of 'scale' to be 1 or 8 (input dim 1), got 4}}
  %y = norm.layer_norm %x scale(%g : tensor<4xf32>) : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Parameter dims follow the normalized axes in increasing order.
func.func @scale_dims_follow_sorted_axes(%x: tensor<2x3x4xf32>, %g: tensor<4x2xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects dim 0 of 'scale' to be 1 or 2 (input dim 0), got 4}}
  %y = norm.rms_norm %x scale(%g : tensor<4x2xf32>) {axes = array<i64: 2, 0>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

func.func @bias_dim(%x: tensor<4x8xf32>, %b: tensor<9xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op expects dim 0 of 'bias' to be 1 or 8 (input dim 1), got 9}}
  %y = norm.layer_norm %x bias(%b : tensor<9xf32>) : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @feature_epsilon_rank(%x: tensor<4x8xf32>, %e: tensor<f32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects 'feature_epsilon' of rank 1 (one dim per normalized axis), got rank 0}}
  %y = norm.rms_norm %x feature_epsilon(%e : tensor<f32>) : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @output_type(%x: tensor<4x8xf32>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'norm.rms_norm' op expects the output type to equal the input type 'tensor<4x8xf32>', got 'tensor<4x8xf16>'}}
  %y = norm.rms_norm %x : tensor<4x8xf32> -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

func.func @output_shape(%x: tensor<?x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op expects the output type to equal the input type 'tensor<?x8xf32>', got 'tensor<4x8xf32>'}}
  %y = norm.layer_norm %x : tensor<?x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @rms_statistics_count(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects 0 or 1 statistics results (inv_rms), got 2}}
  %y, %a, %b = norm.rms_norm %x : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x1xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @layer_statistics_count(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op expects 0 or 2 statistics results (mean, inv_std), got 1}}
  %y, %a = norm.layer_norm %x : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4x1xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @statistics_with_feature_epsilon(%x: tensor<4x8xf32>, %e: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects no statistics results with 'feature_epsilon': no per-row statistic exists}}
  %y, %s = norm.rms_norm %x feature_epsilon(%e : tensor<8xf32>) : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4x1xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @statistics_shape(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects statistics result #0 of type 'tensor<4x1xf32>', got 'tensor<4xf32>'}}
  %y, %s = norm.rms_norm %x : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @statistics_element_type(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{'norm.layer_norm' op expects statistics result #1 of type 'tensor<4x1xf32>', got 'tensor<4x1xbf16>'}}
  %y, %m, %s = norm.layer_norm %x : tensor<4x8xbf16> -> tensor<4x8xbf16>, tensor<4x1xf32>, tensor<4x1xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

func.func @integer_input(%x: tensor<4x8xi32>) -> tensor<4x8xi32> {
  // expected-error @+1 {{'norm.rms_norm' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4x8xi32>'}}
  %y = norm.rms_norm %x : tensor<4x8xi32> -> tensor<4x8xi32>
  return %y : tensor<4x8xi32>
}

// -----

func.func @unranked_input(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{custom op 'norm.layer_norm' invalid kind of type specified: expected builtin.tensor, but found 'tensor<*xf32>'}}
  %y = norm.layer_norm %x : tensor<*xf32> -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @integer_scale(%x: tensor<4x8xf32>, %g: tensor<8xi8>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op operand #1 must be ranked tensor of floating-point values, but got 'tensor<8xi8>'}}
  %y = norm.rms_norm %x scale(%g : tensor<8xi8>) : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The generic form reaches the ODS type constraint.
func.func @unranked_input_generic(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'norm.rms_norm' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<*xf32>'}}
  %y = "norm.rms_norm"(%x) <{axes = array<i64: -1>, epsilon = 1.0e-6 : f64, operandSegmentSizes = array<i32: 1, 0, 0, 0>}> : (tensor<*xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @element_count_overflows_int64(%x: tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects the element count of 'input' (the product of its static non-zero dims) to fit in int64, got 'tensor<4294967296x4294967296xf32>'}}
  %y = norm.rms_norm %x : tensor<4294967296x4294967296xf32> -> tensor<4294967296x4294967296xf32>
  return %y : tensor<4294967296x4294967296xf32>
}

// -----

// An empty tensor still has strides: the non-zero dims must not overflow.
func.func @element_count_overflows_int64_with_zero_dim(%x: tensor<0x4294967296x4294967296xf32>) -> tensor<0x4294967296x4294967296xf32> {
  // expected-error @+1 {{'norm.layer_norm' op expects the element count of 'input' (the product of its static non-zero dims) to fit in int64, got 'tensor<0x4294967296x4294967296xf32>'}}
  %y = norm.layer_norm %x : tensor<0x4294967296x4294967296xf32> -> tensor<0x4294967296x4294967296xf32>
  return %y : tensor<0x4294967296x4294967296xf32>
}

// -----

func.func @byte_count_overflows_int64(%x: tensor<2305843009213693952x2xf32>) -> tensor<2305843009213693952x2xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects the size in bytes of 'input' (4611686018427387904 elements of 4 bytes) to fit in int64, got 'tensor<2305843009213693952x2xf32>'}}
  %y = norm.rms_norm %x : tensor<2305843009213693952x2xf32> -> tensor<2305843009213693952x2xf32>
  return %y : tensor<2305843009213693952x2xf32>
}

// -----

func.func @scale_byte_count_overflows_int64(%x: tensor<1x1152921504606846976xf16>, %g: tensor<1152921504606846976xf128>) -> tensor<1x1152921504606846976xf16> {
  // expected-error @+1 {{'norm.rms_norm' op expects the size in bytes of 'scale' (1152921504606846976 elements of 16 bytes) to fit in int64, got 'tensor<1152921504606846976xf128>'}}
  %y = norm.rms_norm %x scale(%g : tensor<1152921504606846976xf128>) : tensor<1x1152921504606846976xf16> -> tensor<1x1152921504606846976xf16>
  return %y : tensor<1x1152921504606846976xf16>
}

// -----

// The statistics are kept in the compute type even when not returned.
func.func @statistics_byte_count_overflows_int64(%x: tensor<1152921504606846976x2xbf16>) -> tensor<1152921504606846976x2xbf16> {
  // expected-error @+1 {{'norm.layer_norm' op expects the size in bytes of the per-row statistics (1152921504606846976 elements of 8 bytes) to fit in int64, got 'tensor<1152921504606846976x1xf64>'}}
  %y = norm.layer_norm %x {compute_type = f64} : tensor<1152921504606846976x2xbf16> -> tensor<1152921504606846976x2xbf16>
  return %y : tensor<1152921504606846976x2xbf16>
}

// -----

// Found by norm-ir-fuzzer (2026-11-30): parameters that each match a dynamic
// input dim but not each other; the lowering built a linalg.generic that did
// not verify.
func.func @parameters_disagree(%x: tensor<2x?x?xf16>, %g: tensor<404346x64xf32>, %b: tensor<65536x64xbf16>) -> tensor<2x?x?xf16> {
  // expected-error @+1 {{'norm.layer_norm' op expects dim 0 of 'bias' to be 1 or 404346 (dim 0 of 'scale'), got 65536}}
  %y = norm.layer_norm %x scale(%g : tensor<404346x64xf32>) bias(%b : tensor<65536x64xbf16>) {axes = array<i64: -2, -1>} : tensor<2x?x?xf16> -> tensor<2x?x?xf16>
  return %y : tensor<2x?x?xf16>
}

// -----

// A parameter broadcast (1) or dynamic beside a static one is fine; the
// feature epsilon is checked against the first static size too.
func.func @feature_epsilon_disagrees(%x: tensor<4x?xf32>, %g: tensor<1xf32>, %b: tensor<?xf32>, %e: tensor<8xf32>, %e2: tensor<9xf32>) -> tensor<4x?xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<1xf32>) bias(%b : tensor<?xf32>) feature_epsilon(%e : tensor<8xf32>) : tensor<4x?xf32> -> tensor<4x?xf32>
  // expected-error @+1 {{'norm.rms_norm' op expects dim 0 of 'feature_epsilon' to be 1 or 8 (dim 0 of 'scale'), got 9}}
  %z = norm.rms_norm %y scale(%e : tensor<8xf32>) bias(%e : tensor<8xf32>) feature_epsilon(%e2 : tensor<9xf32>) : tensor<4x?xf32> -> tensor<4x?xf32>
  return %z : tensor<4x?xf32>
}

// -----

func.func @residual_type(%x: tensor<4x8xf32>, %r: tensor<4x8xf16>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // expected-error @+1 {{'norm.add_rms_norm' op failed to verify that all of {input, residual, output, sum} have same type}}
  %y, %s = "norm.add_rms_norm"(%x, %r) <{operandSegmentSizes = array<i32: 1, 1, 0, 0, 0>}> : (tensor<4x8xf32>, tensor<4x8xf16>) -> (tensor<4x8xf32>, tensor<4x8xf32>)
  return %y, %s : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

func.func @residual_scale_nan(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // expected-error @+1 {{'norm.add_layer_norm' op expects a finite residual_scale, got nan}}
  %y, %s = norm.add_layer_norm %x, %r {residual_scale = 0x7FF8000000000000 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4x8xf32>
  return %y, %s : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

func.func @sum_grad_type(%dy: tensor<4x8xf32>, %ds: tensor<4x4xf32>, %s: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // expected-error @+1 {{'norm.add_rms_norm_grad' op expects 'sum_grad' of the input type 'tensor<4x8xf32>', got 'tensor<4x4xf32>'}}
  %dx, %dr = norm.add_rms_norm_grad %dy, %s sum_grad(%ds : tensor<4x4xf32>) : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4x8xf32>
  return %dx, %dr : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

func.func @residual_grad_type(%dy: tensor<4x8xf32>, %s: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf16>) {
  // expected-error @+1 {{'norm.add_layer_norm_grad' op failed to verify that all of {output_grad, input, input_grad, residual_grad} have same type}}
  %dx, %dr = "norm.add_layer_norm_grad"(%dy, %s) <{operandSegmentSizes = array<i32: 1, 0, 1, 0, 0, 0, 0>}> : (tensor<4x8xf32>, tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf16>)
  return %dx, %dr : tensor<4x8xf32>, tensor<4x8xf16>
}

// -----

func.func @scale_offset_without_scale(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{'norm.rms_norm' op expects a 'scale' operand with 'scale_offset' (the scale factor is 1 + scale)}}
  %y = norm.rms_norm %x {scale_offset} : tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

func.func @grad_scale_offset_without_scale(%dy: tensor<4x8xf32>, %s: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // expected-error @+1 {{'norm.add_layer_norm_grad' op expects a 'scale' operand with 'scale_offset' (the scale factor is 1 + scale)}}
  %dx, %dr = norm.add_layer_norm_grad %dy, %s {scale_offset} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4x8xf32>
  return %dx, %dr : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

func.func @unknown_casting(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  // expected-error @+2 {{expected ::mlir::norm::Casting to be one of: compute, llama, gemma}}
  // expected-error @+1 {{failed to parse Norm_CastingAttr parameter 'value'}}
  %y = norm.rms_norm %x {casting = #norm.casting<mistral>} : tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

