// RUN: norm-opt %s --pass-pipeline='builtin.module(llvm.func(norm-paired-bf16-narrowing))' | FileCheck %s
// RUN: norm-opt %s --pass-pipeline='builtin.module(llvm.func(norm-paired-bf16-narrowing))' \
// RUN:   | mlir-translate --mlir-to-llvmir | llc -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=sapphirerapids \
// RUN:   | FileCheck %s --check-prefix=ASM

// 64 lanes: two calls, each on 16 low lanes (second operand) and the 16 lanes
// above them (first operand), joined in order.
// CHECK-LABEL: llvm.func @lanes64
// CHECK-DAG:     %[[L0:.*]] = llvm.shufflevector %arg0, %arg0 [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<64xf32>
// CHECK-DAG:     %[[H0:.*]] = llvm.shufflevector %arg0, %arg0 [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31] : vector<64xf32>
// CHECK:         %[[P0:.*]] = llvm.call_intrinsic "llvm.x86.avx512bf16.cvtne2ps2bf16.512"(%[[H0]], %[[L0]]) : (vector<16xf32>, vector<16xf32>) -> vector<32xbf16>
// CHECK-DAG:     %[[L1:.*]] = llvm.shufflevector %arg0, %arg0 [32, 33, {{.*}}, 47] : vector<64xf32>
// CHECK-DAG:     %[[H1:.*]] = llvm.shufflevector %arg0, %arg0 [48, 49, {{.*}}, 63] : vector<64xf32>
// CHECK:         %[[P1:.*]] = llvm.call_intrinsic "llvm.x86.avx512bf16.cvtne2ps2bf16.512"(%[[H1]], %[[L1]])
// CHECK:         %[[Y:.*]] = llvm.shufflevector %[[P0]], %[[P1]] [0, 1, {{.*}}, 63] : vector<32xbf16>
// CHECK-NOT:     llvm.fptrunc
// CHECK:         llvm.return %[[Y]] : vector<64xbf16>
// The argument arrives in zmm0-3 (lanes 0-15, ..., 48-63), the result leaves
// in zmm0-1; AT&T order: low source, high source, destination.
// ASM-LABEL: lanes64:
// ASM-NEXT:    .cfi_startproc
// ASM-NEXT:  # %bb.0:
// ASM-NEXT:    vcvtne2ps2bf16 %zmm0, %zmm1, %zmm0
// ASM-NEXT:    vcvtne2ps2bf16 %zmm2, %zmm3, %zmm1
// ASM-NEXT:    retq
llvm.func @lanes64(%x: vector<64xf32>) -> vector<64xbf16> {
  %y = llvm.fptrunc %x : vector<64xf32> to vector<64xbf16>
  llvm.return %y : vector<64xbf16>
}

// 32 lanes: one call, nothing to join.
// CHECK-LABEL: llvm.func @lanes32
// CHECK:         %[[Y:.*]] = llvm.call_intrinsic "llvm.x86.avx512bf16.cvtne2ps2bf16.512"
// CHECK-NEXT:    llvm.return %[[Y]] : vector<32xbf16>
llvm.func @lanes32(%x: vector<32xf32>) -> vector<32xbf16> {
  %y = llvm.fptrunc %x : vector<32xf32> to vector<32xbf16>
  llvm.return %y : vector<32xbf16>
}

// Left alone: fewer than 32 lanes, lengths not 32 times a power of two, f16,
// scalars and f64.
// CHECK-LABEL: llvm.func @unchanged
// CHECK-NOT:     llvm.call_intrinsic
// CHECK:         llvm.fptrunc %arg0 : vector<16xf32> to vector<16xbf16>
// CHECK:         llvm.fptrunc %arg1 : vector<96xf32> to vector<96xbf16>
// CHECK:         llvm.fptrunc %arg2 : vector<64xf32> to vector<64xf16>
// CHECK:         llvm.fptrunc %arg3 : f32 to bf16
// CHECK:         llvm.fptrunc %arg4 : vector<32xf64> to vector<32xbf16>
llvm.func @unchanged(%a: vector<16xf32>, %b: vector<96xf32>, %c: vector<64xf32>, %d: f32, %e: vector<32xf64>) {
  %0 = llvm.fptrunc %a : vector<16xf32> to vector<16xbf16>
  %1 = llvm.fptrunc %b : vector<96xf32> to vector<96xbf16>
  %2 = llvm.fptrunc %c : vector<64xf32> to vector<64xf16>
  %3 = llvm.fptrunc %d : f32 to bf16
  %4 = llvm.fptrunc %e : vector<32xf64> to vector<32xbf16>
  llvm.return
}
