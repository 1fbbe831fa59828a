// RUN: norm-opt %s --norm-inline-alloca-scopes | FileCheck %s

// The body of each scope, nested ones included, moves in front of it; the
// scope's results become the values its body yields.
// CHECK-LABEL: func @scopes
// CHECK-NOT:     memref.alloca_scope
// CHECK:         scf.for
// CHECK-NEXT:      %[[BUF:.*]] = memref.alloca() : memref<16xf32>
// CHECK-NEXT:      memref.store %{{.*}}, %[[BUF]]
// CHECK-NEXT:      %[[INNER:.*]] = memref.alloca() : memref<4xf32>
// CHECK-NEXT:      memref.store %{{.*}}, %[[INNER]]
// CHECK-NEXT:      %[[V:.*]] = memref.load %[[BUF]]
// CHECK-NEXT:      memref.store %[[V]], %arg0
// CHECK-NOT:     memref.alloca_scope
func.func @scopes(%out: memref<8xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.alloca_scope -> f32 {
      %buf = memref.alloca() : memref<16xf32>
      memref.store %x, %buf[%i] : memref<16xf32>
      memref.alloca_scope {
        %inner = memref.alloca() : memref<4xf32>
        memref.store %x, %inner[%c0] : memref<4xf32>
      }
      %l = memref.load %buf[%i] : memref<16xf32>
      memref.alloca_scope.return %l : f32
    }
    memref.store %v, %out[%i] : memref<8xf32>
  }
  return
}
