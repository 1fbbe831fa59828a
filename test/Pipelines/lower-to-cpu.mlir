// RUN: norm-opt %s --norm-lower-to-cpu=vector-size=64 | FileCheck %s
// RUN: norm-opt %s --norm-lower-to-cpu='vector-size=32 parallel=true' | FileCheck %s --check-prefix=PARALLEL
// RUN: norm-opt %s --norm-lower-to-cpu='streaming-stores=false' | FileCheck %s --check-prefix=CACHED

// Everything reaches the LLVM dialect, vectorized: 64-lane f32 math, a
// tree-shaped horizontal sum and non-temporal stores of the 64 MiB result.
// CHECK-LABEL: llvm.func @rms
// CHECK-NOT: norm.
// CHECK-NOT: linalg.
// CHECK: llvm.fmul %{{.*}} : vector<64xf32>
// CHECK: "llvm.intr.vector.reduce.fadd"(%{{.*}}, %{{.*}}) <{fastmathFlags = #llvm.fastmath<reassoc>}> : (f32, vector<64xf32>) -> f32
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 64 : i64, nontemporal} : vector<64xf32>, !llvm.ptr
// Rows are prefetched one ahead unless prefetch=false.
// RUN: norm-opt %s --norm-lower-to-cpu | FileCheck %s --check-prefix=PREFETCH
// RUN: norm-opt %s --norm-lower-to-cpu=prefetch=false | FileCheck %s --check-prefix=NOPREFETCH
// PREFETCH: "llvm.intr.prefetch"
// NOPREFETCH-NOT: "llvm.intr.prefetch"
// With parallel rows, row tasks are an OpenMP worksharing loop; the per-row
// scratch buffers are allocated once per thread, at the top of the parallel
// region (norm-inline-alloca-scopes, norm-hoist-static-allocas).
// PARALLEL:       omp.parallel {
// PARALLEL-NEXT:    llvm.alloca
// PARALLEL:         omp.wsloop {
// PARALLEL-NEXT:      omp.loop_nest
// PARALLEL-NOT:       llvm.alloca
// PARALLEL:           llvm.fmul %{{.*}} : vector<32xf32>
// PARALLEL-NOT:       llvm.alloca
// PARALLEL:           omp.yield
// CACHED-LABEL: llvm.func @rms
// CACHED-NOT: nontemporal
func.func @rms(%x: tensor<4096x4096xf32>, %g: tensor<4096xf32>) -> tensor<4096x4096xf32> {
  %y = norm.rms_norm %x scale(%g : tensor<4096xf32>) : tensor<4096x4096xf32> -> tensor<4096x4096xf32>
  return %y : tensor<4096x4096xf32>
}
