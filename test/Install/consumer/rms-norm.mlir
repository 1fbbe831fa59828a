// Input of the install-consumer test (../RunConsumer.cmake): the consumer's
// consumer-opt, and the installed norm-opt, lower it with norm-lower-to-cpu.
// CHECK-LABEL: llvm.func @rms
// CHECK-NOT: norm.rms_norm
// CHECK: llvm.fmul %{{.*}} : vector<32xf32>
func.func @rms(%x: tensor<8x64xf32>, %g: tensor<64xf32>) -> tensor<8x64xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<64xf32>) : tensor<8x64xf32> -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}
