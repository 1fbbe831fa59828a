// RUN: norm-opt %s --pass-pipeline='builtin.module(llvm.func(norm-half-vector-stores))' | FileCheck %s

// A non-temporal store of a bf16 or f16 vector stores its bits as i16, or-ed
// with a zero loaded (volatile) once per call, so that LLVM keeps the i16
// type and selects a non-temporal store; one zero per vector type.
// CHECK-LABEL: llvm.func @nontemporal
// CHECK:         %[[SLOT:.*]] = llvm.alloca %{{.*}} x vector<32xi16>
// CHECK:         llvm.store %{{.*}}, %[[SLOT]] : vector<32xi16>
// CHECK:         %[[ZERO:.*]] = llvm.load volatile %[[SLOT]] : !llvm.ptr -> vector<32xi16>
// CHECK-NOT:     llvm.alloca
// CHECK:         %[[B:.*]] = llvm.bitcast %arg0 : vector<32xbf16> to vector<32xi16>
// CHECK:         %[[OR:.*]] = llvm.or %[[B]], %[[ZERO]] : vector<32xi16>
// CHECK:         llvm.store %[[OR]], %arg2 {alignment = 64 : i64, nontemporal} : vector<32xi16>, !llvm.ptr
// CHECK:         %[[H:.*]] = llvm.bitcast %arg1 : vector<32xf16> to vector<32xi16>
// CHECK:         %[[OR2:.*]] = llvm.or %[[H]], %[[ZERO]] : vector<32xi16>
// CHECK:         llvm.store %[[OR2]], %arg2 {alignment = 64 : i64, nontemporal} : vector<32xi16>, !llvm.ptr
// Ordinary stores and f32 vectors are left alone.
// CHECK:         llvm.store %arg0, %arg2 {alignment = 64 : i64} : vector<32xbf16>, !llvm.ptr
// CHECK:         llvm.store %arg3, %arg2 {alignment = 64 : i64, nontemporal} : vector<16xf32>, !llvm.ptr
llvm.func @nontemporal(%b: vector<32xbf16>, %h: vector<32xf16>, %p: !llvm.ptr, %f: vector<16xf32>) {
  llvm.store %b, %p {alignment = 64 : i64, nontemporal} : vector<32xbf16>, !llvm.ptr
  llvm.store %h, %p {alignment = 64 : i64, nontemporal} : vector<32xf16>, !llvm.ptr
  llvm.store %b, %p {alignment = 64 : i64} : vector<32xbf16>, !llvm.ptr
  llvm.store %f, %p {alignment = 64 : i64, nontemporal} : vector<16xf32>, !llvm.ptr
  llvm.return
}

// A masked bf16 store stores the same bits as i16 (LLVM 22 cannot select the
// scalar bfloat store a one-lane mask becomes).
// CHECK-LABEL: llvm.func @masked
// CHECK:         %[[B:.*]] = llvm.bitcast %arg0 : vector<32xbf16> to vector<32xi16>
// CHECK:         llvm.intr.masked.store %[[B]], %arg1, %arg2 {alignment = 2 : i32} : vector<32xi16>, vector<32xi1> into !llvm.ptr
llvm.func @masked(%b: vector<32xbf16>, %p: !llvm.ptr, %m: vector<32xi1>) {
  llvm.intr.masked.store %b, %p, %m {alignment = 2 : i32} : vector<32xbf16>, vector<32xi1> into !llvm.ptr
  llvm.return
}
