// RUN: norm-opt %s --split-input-file --verify-diagnostics

// The gradient ops share the forward ops' verifier for axes, arithmetic and
// parameters, and check their own results and statistics operands.

func.func @grad_bad_axis(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm_grad' op expects axes in [-2, 2) for an input of rank 2, got 2}}
  %dx = norm.rms_norm_grad %dy, %x {axes = array<i64: 2>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %dx : tensor<4x8xf32>
}

// -----

// expected-note @+1 {{prior use here}}
func.func @grad_output_grad_type(%dy: tensor<4x8xf16>, %x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{use of value '%dy' expects different type than prior uses: 'tensor<4x8xf32>' vs 'tensor<4x8xf16>'}}
  %dx = norm.rms_norm_grad %dy, %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %dx : tensor<4x8xf32>
}

// -----

func.func @grad_input_grad_type(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'norm.layer_norm_grad' op failed to verify that all of {output_grad, input, input_grad} have same type}}
  %dx = "norm.layer_norm_grad"(%dy, %x) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0>} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf16>
  return %dx : tensor<4x8xf16>
}

// -----

func.func @grad_missing_scale_grad(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm_grad' op expects one gradient per parameter present (1), got 0}}
  %dx = norm.rms_norm_grad %dy, %x scale(%g : tensor<8xf32>) : tensor<4x8xf32> -> tensor<4x8xf32>
  return %dx : tensor<4x8xf32>
}

// -----

func.func @grad_extra_grad(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm_grad' op expects one gradient per parameter present (0), got 1}}
  %dx, %dg = norm.rms_norm_grad %dy, %x : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<8xf32>
  return %dx : tensor<4x8xf32>
}

// -----

func.func @grad_param_grad_type(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<1xbf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm_grad' op expects the gradient of 'bias' of its type 'tensor<1xbf16>', got 'tensor<1xf32>'}}
  %dx, %dg, %db = norm.layer_norm_grad %dy, %x scale(%g : tensor<8xf32>) bias(%b : tensor<1xbf16>) : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<8xf32>, tensor<1xf32>
  return %dx : tensor<4x8xf32>
}

// -----

func.func @grad_bad_param_shape(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %g: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm_grad' op expects dim 0 of 'scale' to be 1 or 8 (input dim 1), got 4}}
  %dx, %dg = norm.rms_norm_grad %dy, %x scale(%g : tensor<4xf32>) : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4xf32>
  return %dx : tensor<4x8xf32>
}

// -----

func.func @grad_statistics_count(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %r: tensor<4x1xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm_grad' op expects 0 or 2 statistics operands (mean, inv_std), got 1}}
  %dx = norm.layer_norm_grad %dy, %x statistics(%r : tensor<4x1xf32>) : tensor<4x8xf32> -> tensor<4x8xf32>
  return %dx : tensor<4x8xf32>
}

// -----

func.func @grad_statistics_type(%dy: tensor<4x8xbf16>, %x: tensor<4x8xbf16>, %r: tensor<4x1xbf16>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{'norm.rms_norm_grad' op expects statistics operand #0 of type 'tensor<4x1xf32>', got 'tensor<4x1xbf16>'}}
  %dx = norm.rms_norm_grad %dy, %x statistics(%r : tensor<4x1xbf16>) : tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %dx : tensor<4x8xbf16>
}

// -----

func.func @grad_statistics_with_feature_epsilon(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>, %e: tensor<8xf32>, %r: tensor<4x1xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm_grad' op expects no statistics operands with 'feature_epsilon': no per-row statistic exists}}
  %dx, %de = norm.rms_norm_grad %dy, %x feature_epsilon(%e : tensor<8xf32>) statistics(%r : tensor<4x1xf32>) : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<8xf32>
  return %dx : tensor<4x8xf32>
}

// -----

func.func @grad_compute_type(%dy: tensor<4x8xf32>, %x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm_grad' op expects a compute type wider than or equal to the input element type 'f32', got 'f16'}}
  %dx = norm.layer_norm_grad %dy, %x {compute_type = f16} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %dx : tensor<4x8xf32>
}
