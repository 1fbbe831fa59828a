// RUN: norm-opt %s -norm-gpu-device-memory -split-input-file -verify-diagnostics | FileCheck %s

// Host allocations, copies and frees become GPU ones; a constant gets a
// device copy freed before the return.
// CHECK-LABEL: func.func @buffers(
//  CHECK-SAME:   %[[ARG:.*]]: memref<?xf32>
//       CHECK:   %[[G:.*]] = memref.get_global @weights : memref<4xf32>
//       CHECK:   %[[GD:.*]] = gpu.alloc () : memref<4xf32>
//       CHECK:   gpu.memcpy  %[[GD]], %[[G]] : memref<4xf32>, memref<4xf32>
//       CHECK:   %[[A:.*]] = gpu.alloc (%{{.*}}) : memref<?xf32>
//       CHECK:   gpu.memcpy  %[[A]], %[[ARG]] : memref<?xf32>, memref<?xf32>
//       CHECK:   gpu.launch
//       CHECK:     memref.load %[[GD]]
//       CHECK:   gpu.dealloc  %[[A]] : memref<?xf32>
//       CHECK:   gpu.dealloc  %[[GD]] : memref<4xf32>
//       CHECK:   return
memref.global "private" constant @weights : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @buffers(%arg: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %g = memref.get_global @weights : memref<4xf32>
  %n = memref.dim %arg, %c0 : memref<?xf32>
  %a = memref.alloc(%n) : memref<?xf32>
  memref.copy %arg, %a : memref<?xf32> to memref<?xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1) threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    %v0 = memref.load %g[%c0] : memref<4xf32>
    memref.store %v0, %a[%c0] : memref<?xf32>
    gpu.terminator
  }
  memref.dealloc %a : memref<?xf32>
  return
}

// -----

func.func @host_access(%arg: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'memref.load' op accesses a buffer from host code, but buffers live in GPU memory; only work mapped to gpu.launch is supported on the GPU target}}
  %v = memref.load %arg[%c0] : memref<4xf32>
  return %v : f32
}
