// REQUIRES: numpy
// numpy reads the runner's .npy files bit for bit, and the runner reads
// numpy's.

// RUN: norm-runner %s -e make --output %t.f32.npy --output %t.f16.npy --output %t.f64.npy --output %t.bf16.npy
// RUN: %numpy_python -c "import numpy as np; [print(a.dtype, a.shape, a.ravel()[:3].tolist()) for a in (np.load('%t.f32.npy'), np.load('%t.f16.npy'), np.load('%t.f64.npy'), np.load('%t.bf16.npy'))]" | FileCheck %s --check-prefix=READ
// READ: float32 (2, 3) [0.5, -1.25, 3.0]
// READ-NEXT: float16 (2, 3) [0.5, -1.25, 3.0]
// READ-NEXT: float64 (2, 3) [0.5, -1.25, 3.0]
// READ-NEXT: float32 (2, 3) [0.5, -1.25, 3.0]

// RUN: %numpy_python -c "import numpy as np; np.save('%t.np.npy', np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32)); np.save('%t.fortran.npy', np.asfortranarray(np.ones((2, 3), dtype=np.float32)))"
// RUN: norm-runner %s -e rms --input %t.np.npy --print | FileCheck %s --check-prefix=WRITE
// WRITE: {{\[\[}}   0.848528,    1.13137],
// RUN: not norm-runner %s -e rms --input %t.fortran.npy 2>&1 | FileCheck %s --check-prefix=FORTRAN
// FORTRAN: error: {{.*}}fortran.npy' is not a valid .npy file: Fortran-ordered arrays are not supported

func.func @make() -> (tensor<2x3xf32>, tensor<2x3xf16>, tensor<2x3xf64>, tensor<2x3xbf16>) {
  %a = arith.constant dense<[[0.5, -1.25, 3.0], [1.0, 2.0, 4.0]]> : tensor<2x3xf32>
  %b = arith.constant dense<[[0.5, -1.25, 3.0], [1.0, 2.0, 4.0]]> : tensor<2x3xf16>
  %c = arith.constant dense<[[0.5, -1.25, 3.0], [1.0, 2.0, 4.0]]> : tensor<2x3xf64>
  %d = arith.constant dense<[[0.5, -1.25, 3.0], [1.0, 2.0, 4.0]]> : tensor<2x3xbf16>
  return %a, %b, %c, %d : tensor<2x3xf32>, tensor<2x3xf16>, tensor<2x3xf64>, tensor<2x3xbf16>
}

func.func @rms(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %y = norm.rms_norm %x {epsilon = 0.0 : f64} : tensor<?x2xf32> -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
