// The documented error bound (docs/Dialects/NormOps.md) on adversarial
// inputs: an outlier as each row's first element, outliers elsewhere, a large
// mean with a small variance, six decades of magnitudes, constant rows, long
// rows, values near the type's largest (their squares overflow); both ops,
// f16/bf16/f32/f64, static and dynamic rows, against a
// long-double reference.
// RUN: norm-differential-test --precision | FileCheck %s
// CHECK: bound 8.00
// CHECK-NEXT: ok   rms_norm   f16
// CHECK-NEXT: ok   rms_norm   bf16
// CHECK-NEXT: ok   rms_norm   f32
// CHECK-NEXT: ok   rms_norm   f64
// CHECK-NEXT: ok   layer_norm f16
// CHECK-NEXT: ok   layer_norm bf16
// CHECK-NEXT: ok   layer_norm f32
// CHECK-NEXT: ok   layer_norm f64
