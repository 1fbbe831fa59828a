// Every user error gives a message that names the problem and a non-zero exit.
// RUN: not norm-runner %s -e nope 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: error: no function @nope to run in the module (functions: @main, @make_f16, @make_4x9, @softmax, @unsupported, @dynamic)

// RUN: not norm-runner %s 2>&1 | FileCheck %s --check-prefix=NOINPUT
// NOINPUT: error: argument #0 (tensor<4x8xf32>) has no --input; pass one or use --random-inputs

// RUN: norm-runner %s -e make_f16 --output %t.f16.npy
// RUN: not norm-runner %s --input %t.f16.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: error: argument #0 expects element type f32 (tensor<4x8xf32>), got f16

// RUN: norm-runner %s -e make_4x9 --output %t.4x9.npy
// RUN: not norm-runner %s --input 0=%t.4x9.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: error: argument #0 expects shape [4, 8] (tensor<4x8xf32>), got [4, 9]

// RUN: not norm-runner %s --input 1=%t.4x9.npy 2>&1 | FileCheck %s --check-prefix=INDEX
// INDEX: error: --input 1={{.*}}: the entry has 1 argument(s)

// RUN: echo "not a numpy file" > %t.bad.npy
// RUN: not norm-runner %s --input %t.bad.npy 2>&1 | FileCheck %s --check-prefix=MALFORMED
// MALFORMED: error: {{.*}}bad.npy

// RUN: not norm-runner %s --input %t.missing.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: {{.*}}missing.npy

// RUN: not norm-runner %s -e unsupported 2>&1 | FileCheck %s --check-prefix=TYPE
// TYPE: error: argument #0 of @unsupported has unsupported type tensor<4xcomplex<f32>>

// RUN: not norm-runner %s -e dynamic --random-inputs 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// DYNAMIC: error: argument #0 (tensor<?x8xf32>) has dynamic dims: give its shape with --shape 0=DxD...

// An op the CPU pipeline does not lower: the message points at it.
// RUN: not norm-runner %s -e softmax 2>&1 | FileCheck %s --check-prefix=LOWERING
// LOWERING: error: compiling @softmax failed: could not convert to LLVM IR
// LOWERING: errors.mlir":{{[0-9]+}}:{{[0-9]+}}): error: LLVM Translation failed for operation

// RUN: not norm-runner %s --target=tpu 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: for the --target option: Cannot find option named 'tpu'!

// RUN: echo "func.func @main( {" > %t.broken.mlir
// RUN: not norm-runner %t.broken.mlir 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: broken.mlir:1:{{[0-9]+}}: error:

func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.rms_norm %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func @make_f16() -> tensor<4x8xf16> {
  %c = arith.constant dense<1.0> : tensor<4x8xf16>
  return %c : tensor<4x8xf16>
}

func.func @make_4x9() -> tensor<4x9xf32> {
  %c = arith.constant dense<1.0> : tensor<4x9xf32>
  return %c : tensor<4x9xf32>
}

func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func @unsupported(%x: tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>> {
  return %x : tensor<4xcomplex<f32>>
}

func.func @dynamic(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = norm.layer_norm %x : tensor<?x8xf32> -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
