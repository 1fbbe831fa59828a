// RUN: norm-opt %s --norm-param-stats --verify-diagnostics -o /dev/null

// expected-remark @below {{512 normalization parameters in 3 norm ops}}
module {
  func.func @block(%x: tensor<80x128xf32>, %g1: tensor<128xf32>, %b1: tensor<128xf32>, %g2: tensor<128xf32>, %e: tensor<128xf32>, %h: tensor<?xf32>) -> (tensor<80x128xf32>, tensor<80x128xf32>) {
    // expected-remark @+1 {{256 parameters (scale 128, bias 128, feature_epsilon 0)}}
    %y = norm.layer_norm %x scale(%g1 : tensor<128xf32>) bias(%b1 : tensor<128xf32>) : tensor<80x128xf32> -> tensor<80x128xf32>
    // A tensor shared by two ops counts once in the total.
    // expected-remark @+1 {{384 parameters (scale 128, bias 128, feature_epsilon 128)}}
    %z = norm.rms_norm %y scale(%g2 : tensor<128xf32>) bias(%b1 : tensor<128xf32>) feature_epsilon(%e : tensor<128xf32>) : tensor<80x128xf32> -> tensor<80x128xf32>
    // expected-remark @+1 {{0 parameters (scale 0, bias 0, feature_epsilon 0); parameters with dynamic dims are not counted}}
    %w = norm.rms_norm %z scale(%h : tensor<?xf32>) : tensor<80x128xf32> -> tensor<80x128xf32>
    return %y, %w : tensor<80x128xf32>, tensor<80x128xf32>
  }
}
