// RUN: norm-opt %s --pass-pipeline='builtin.module(llvm.func(norm-hoist-static-allocas))' -split-input-file -verify-diagnostics | FileCheck %s

// A fixed-size alloca in a loop body moves to the entry block, with a copy of
// its constant size; the loop reuses the one slot.
// CHECK-LABEL: llvm.func @in_loop
// CHECK-NEXT: %[[N:.*]] = llvm.mlir.constant(32 : i64) : i64
// CHECK-NEXT: %[[A:.*]] = llvm.alloca %[[N]] x f32 {alignment = 64 : i64} : (i64) -> !llvm.ptr
// CHECK: ^bb2:
// CHECK-NOT: llvm.alloca
// CHECK: llvm.store %{{.*}}, %[[A]]
llvm.func @in_loop(%n: i64, %v: f32) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  llvm.br ^bb1(%c0 : i64)
^bb1(%i: i64):
  %done = llvm.icmp "sge" %i, %n : i64
  llvm.cond_br %done, ^bb3, ^bb2
^bb2:
  %size = llvm.mlir.constant(32 : i64) : i64
  %a = llvm.alloca %size x f32 {alignment = 64 : i64} : (i64) -> !llvm.ptr
  llvm.store %v, %a : f32, !llvm.ptr
  %next = llvm.add %i, %c1 : i64
  llvm.br ^bb1(%next : i64)
^bb3:
  llvm.return
}

// -----

// Entry-block allocas stay where they are.
// CHECK-LABEL: llvm.func @in_entry
// CHECK-NEXT: llvm.mlir.constant(4 : i64)
// CHECK-NEXT: llvm.alloca
// CHECK-NEXT: llvm.return
llvm.func @in_entry() {
  %size = llvm.mlir.constant(4 : i64) : i64
  %a = llvm.alloca %size x f32 : (i64) -> !llvm.ptr
  llvm.return
}

// -----

llvm.func @dynamic_in_loop(%n: i64) {
  llvm.br ^bb1
^bb1:
  // expected-error @+1 {{of run-time size outside the entry block}}
  %a = llvm.alloca %n x f32 : (i64) -> !llvm.ptr
  llvm.return
}

// -----

// Inside an omp.parallel region, the entry block of that region: each thread
// gets its own slot, not one shared through the function's frame.
// CHECK-LABEL: llvm.func @in_parallel
// CHECK-NEXT:    omp.parallel {
// CHECK-NEXT:      %[[N:.*]] = llvm.mlir.constant(16 : i64) : i64
// CHECK-NEXT:      %[[A:.*]] = llvm.alloca %[[N]] x f32
// CHECK:           omp.wsloop {
// CHECK-NEXT:        omp.loop_nest
// CHECK-NOT:           llvm.alloca
// CHECK:               llvm.store %{{.*}}, %[[A]]
llvm.func @in_parallel(%n: i64, %v: f32) {
  omp.parallel {
    %c0 = llvm.mlir.constant(0 : i64) : i64
    %c1 = llvm.mlir.constant(1 : i64) : i64
    omp.wsloop {
      omp.loop_nest (%i) : i64 = (%c0) to (%n) step (%c1) {
        %size = llvm.mlir.constant(16 : i64) : i64
        %a = llvm.alloca %size x f32 {alignment = 64 : i64} : (i64) -> !llvm.ptr
        llvm.store %v, %a : f32, !llvm.ptr
        omp.yield
      }
    }
    omp.terminator
  }
  llvm.return
}
