// RUN: norm-opt %s --norm-scalar-transfers --split-input-file | FileCheck %s

// A one-element read of a strided view (one element per row): a scalar load
// and a broadcast.
// CHECK-LABEL: func @one_element
//  CHECK-SAME:   %[[M:.*]]: memref<4x1xf32, strided<[8, 1]>>, %[[I:.*]]: index
//       CHECK:   %[[S:.*]] = memref.load %[[M]][%[[I]], %c0] : memref<4x1xf32, strided<[8, 1]>>
//       CHECK:   %[[V:.*]] = vector.broadcast %[[S]] : f32 to vector<1xf32>
//   CHECK-NOT:   vector.transfer_read
//       CHECK:   return %[[V]]
func.func @one_element(%m: memref<4x1xf32, strided<[8, 1]>>, %i: index) -> vector<1xf32> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %m[%i, %c0], %pad {in_bounds = [true]} : memref<4x1xf32, strided<[8, 1]>>, vector<1xf32>
  return %v : vector<1xf32>
}

// -----

// Several one-element dims, a transposing map, and a 0-d read (no in_bounds
// at all) are one element too.
// CHECK-LABEL: func @one_element_ranks
//  CHECK-SAME:   %[[M:.*]]: memref<?x?xf32>, %[[I:.*]]: index, %[[J:.*]]: index
//       CHECK:   %[[S:.*]] = memref.load %[[M]][%[[I]], %[[J]]] : memref<?x?xf32>
//       CHECK:   %[[V:.*]] = vector.broadcast %[[S]] : f32 to vector<1x1xf32>
//       CHECK:   %[[T:.*]] = memref.load %[[M]][%[[J]], %[[I]]] : memref<?x?xf32>
//       CHECK:   %[[W:.*]] = vector.broadcast %[[T]] : f32 to vector<1x1xf32>
//       CHECK:   %[[R:.*]] = memref.load %[[M]][%[[I]], %[[I]]] : memref<?x?xf32>
//       CHECK:   %[[Z:.*]] = vector.broadcast %[[R]] : f32 to vector<f32>
//   CHECK-NOT:   vector.transfer_read
//       CHECK:   return %[[V]], %[[W]], %[[Z]]
func.func @one_element_ranks(%m: memref<?x?xf32>, %i: index, %j: index) -> (vector<1x1xf32>, vector<1x1xf32>, vector<f32>) {
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %m[%i, %j], %pad {in_bounds = [true, true]} : memref<?x?xf32>, vector<1x1xf32>
  %w = vector.transfer_read %m[%j, %i], %pad {in_bounds = [true, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : memref<?x?xf32>, vector<1x1xf32>
  %z = vector.transfer_read %m[%i, %i], %pad : memref<?x?xf32>, vector<f32>
  return %v, %w, %z : vector<1x1xf32>, vector<1x1xf32>, vector<f32>
}

// -----

// A broadcast read (every result of the map is 0) loads its one element
// once, whatever the vector size.
// CHECK-LABEL: func @broadcast
//  CHECK-SAME:   %[[M:.*]]: memref<1x1xbf16>, %[[P:.*]]: memref<1xf32, strided<[1], offset: ?>>
//       CHECK:   %[[S:.*]] = memref.load %[[M]][%c0, %c0] : memref<1x1xbf16>
//       CHECK:   %[[V:.*]] = vector.broadcast %[[S]] : bf16 to vector<32xbf16>
//       CHECK:   %[[T:.*]] = memref.load %[[P]][%c0] : memref<1xf32, strided<[1], offset: ?>>
//       CHECK:   %[[W:.*]] = vector.broadcast %[[T]] : f32 to vector<4x16xf32>
//   CHECK-NOT:   vector.transfer_read
//       CHECK:   return %[[V]], %[[W]]
func.func @broadcast(%m: memref<1x1xbf16>, %p: memref<1xf32, strided<[1], offset: ?>>) -> (vector<32xbf16>, vector<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : bf16
  %padf = arith.constant 0.0 : f32
  %v = vector.transfer_read %m[%c0, %c0], %pad {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (0)>} : memref<1x1xbf16>, vector<32xbf16>
  %w = vector.transfer_read %p[%c0], %padf {in_bounds = [true, true], permutation_map = affine_map<(d0) -> (0, 0)>} : memref<1xf32, strided<[1], offset: ?>>, vector<4x16xf32>
  return %v, %w : vector<32xbf16>, vector<4x16xf32>
}

// -----

// Masked one-element and broadcast reads: the load happens only where the
// mask's one bit is set, else the padding is read.
// CHECK-LABEL: func @masked
//  CHECK-SAME:   %[[M:.*]]: memref<?x?xf32>, %[[I:.*]]: index, %[[MASK:.*]]: vector<1xi1>, %[[MASK2:.*]]: vector<1x1xi1>
//       CHECK:   %[[PAD:.*]] = arith.constant 5.000000e-01 : f32
//       CHECK:   %[[BIT:.*]] = vector.extract %[[MASK]][0] : i1 from vector<1xi1>
//       CHECK:   %[[S:.*]] = scf.if %[[BIT]] -> (f32) {
//       CHECK:     %[[L:.*]] = memref.load %[[M]][%[[I]], %[[I]]] : memref<?x?xf32>
//       CHECK:     scf.yield %[[L]] : f32
//       CHECK:   } else {
//       CHECK:     scf.yield %[[PAD]] : f32
//       CHECK:   }
//       CHECK:   %[[V:.*]] = vector.broadcast %[[S]] : f32 to vector<1xf32>
//       CHECK:   %[[BIT2:.*]] = vector.extract %[[MASK2]][0, 0] : i1 from vector<1x1xi1>
//       CHECK:   %[[S2:.*]] = scf.if %[[BIT2]] -> (f32) {
//       CHECK:     %[[L2:.*]] = memref.load %[[M]][%[[I]], %c0] : memref<?x?xf32>
//       CHECK:     scf.yield %[[L2]] : f32
//       CHECK:   } else {
//       CHECK:     scf.yield %[[PAD]] : f32
//       CHECK:   }
//       CHECK:   %[[V2:.*]] = vector.broadcast %[[S2]] : f32 to vector<1x1xf32>
//       CHECK:   %[[BIT3:.*]] = vector.extract %[[MASK]][0] : i1 from vector<1xi1>
//       CHECK:   %[[S3:.*]] = scf.if %[[BIT3]] -> (f32) {
//       CHECK:     %[[L3:.*]] = memref.load %[[M]][%c0, %[[I]]] : memref<?x?xf32>
//       CHECK:     scf.yield %[[L3]] : f32
//       CHECK:   } else {
//       CHECK:     scf.yield %[[PAD]] : f32
//       CHECK:   }
//       CHECK:   %[[V3:.*]] = vector.broadcast %[[S3]] : f32 to vector<16xf32>
//   CHECK-NOT:   vector.transfer_read
//       CHECK:   return %[[V]], %[[V2]], %[[V3]]
func.func @masked(%m: memref<?x?xf32>, %i: index, %mask: vector<1xi1>, %mask2: vector<1x1xi1>) -> (vector<1xf32>, vector<1x1xf32>, vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.5 : f32
  %v = vector.transfer_read %m[%i, %i], %pad, %mask {in_bounds = [true]} : memref<?x?xf32>, vector<1xf32>
  %v2 = vector.transfer_read %m[%i, %c0], %pad, %mask2 {in_bounds = [true, true]} : memref<?x?xf32>, vector<1x1xf32>
  %v3 = vector.transfer_read %m[%c0, %i], %pad, %mask {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (0)>} : memref<?x?xf32>, vector<16xf32>
  return %v, %v2, %v3 : vector<1xf32>, vector<1x1xf32>, vector<16xf32>
}

// -----

// Left alone: reads of tensors, of several elements, and unmasked
// one-element reads that may be out of bounds.
// CHECK-LABEL: func @kept
//   CHECK-NOT:   memref.load
//       CHECK:   vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<?xf32>, vector<1xf32>
//       CHECK:   vector.transfer_read %{{.*}} {in_bounds = [true]} : memref<?xf32>, vector<4xf32>
//       CHECK:   vector.transfer_read %{{.*}}[%{{.*}}], %{{.*}} : memref<?xf32>, vector<1xf32>
//   CHECK-NOT:   memref.load
//       CHECK:   return
func.func @kept(%t: tensor<?xf32>, %m: memref<?xf32>, %i: index) -> (vector<1xf32>, vector<4xf32>, vector<1xf32>) {
  %pad = arith.constant 0.0 : f32
  %a = vector.transfer_read %t[%i], %pad {in_bounds = [true]} : tensor<?xf32>, vector<1xf32>
  %b = vector.transfer_read %m[%i], %pad {in_bounds = [true]} : memref<?xf32>, vector<4xf32>
  %c = vector.transfer_read %m[%i], %pad {in_bounds = [false]} : memref<?xf32>, vector<1xf32>
  return %a, %b, %c : vector<1xf32>, vector<4xf32>, vector<1xf32>
}

// -----

// Float conversions of one-element vectors become scalar ones (X86 cannot
// extend <1 x bfloat>); wider vectors keep theirs.
// CHECK-LABEL: func @one_element_conversions
//  CHECK-SAME:   %[[A:.*]]: vector<1xbf16>, %[[B:.*]]: vector<1x1xf32>, %[[C:.*]]: vector<4xbf16>
//       CHECK:   %[[E:.*]] = vector.extract %[[A]][0] : bf16 from vector<1xbf16>
//       CHECK:   %[[X:.*]] = arith.extf %[[E]] : bf16 to f32
//       CHECK:   %[[XV:.*]] = vector.broadcast %[[X]] : f32 to vector<1xf32>
//       CHECK:   %[[F:.*]] = vector.extract %[[B]][0, 0] : f32 from vector<1x1xf32>
//       CHECK:   %[[T:.*]] = arith.truncf %[[F]] : f32 to bf16
//       CHECK:   %[[TV:.*]] = vector.broadcast %[[T]] : bf16 to vector<1x1xbf16>
//       CHECK:   %[[W:.*]] = arith.extf %[[C]] : vector<4xbf16> to vector<4xf32>
//       CHECK:   return %[[XV]], %[[TV]], %[[W]]
func.func @one_element_conversions(%a: vector<1xbf16>, %b: vector<1x1xf32>, %c: vector<4xbf16>) -> (vector<1xf32>, vector<1x1xbf16>, vector<4xf32>) {
  %x = arith.extf %a : vector<1xbf16> to vector<1xf32>
  %t = arith.truncf %b : vector<1x1xf32> to vector<1x1xbf16>
  %w = arith.extf %c : vector<4xbf16> to vector<4xf32>
  return %x, %t, %w : vector<1xf32>, vector<1x1xbf16>, vector<4xf32>
}

// -----

// Conversions of splats convert the scalar, then splat (X86 cannot legalize
// a splat of bfloat feeding an extension); a broadcast of a vector is kept.
// CHECK-LABEL: func @splat_conversions
//  CHECK-SAME:   %[[S:.*]]: bf16, %[[F:.*]]: f32, %[[V:.*]]: vector<16xbf16>
//       CHECK:   %[[X:.*]] = arith.extf %[[S]] : bf16 to f32
//       CHECK:   %[[XV:.*]] = vector.broadcast %[[X]] : f32 to vector<32xf32>
//       CHECK:   %[[T:.*]] = arith.truncf %[[F]] : f32 to bf16
//       CHECK:   %[[TV:.*]] = vector.broadcast %[[T]] : bf16 to vector<32xbf16>
//       CHECK:   %[[B:.*]] = vector.broadcast %[[V]] : vector<16xbf16> to vector<4x16xbf16>
//       CHECK:   %[[W:.*]] = arith.extf %[[B]] : vector<4x16xbf16> to vector<4x16xf32>
//       CHECK:   return %[[XV]], %[[TV]], %[[W]]
func.func @splat_conversions(%s: bf16, %f: f32, %v: vector<16xbf16>) -> (vector<32xf32>, vector<32xbf16>, vector<4x16xf32>) {
  %a = vector.broadcast %s : bf16 to vector<32xbf16>
  %x = arith.extf %a : vector<32xbf16> to vector<32xf32>
  %b = vector.broadcast %f : f32 to vector<32xf32>
  %t = arith.truncf %b : vector<32xf32> to vector<32xbf16>
  %c = vector.broadcast %v : vector<16xbf16> to vector<4x16xbf16>
  %w = arith.extf %c : vector<4x16xbf16> to vector<4x16xf32>
  return %x, %t, %w : vector<32xf32>, vector<32xbf16>, vector<4x16xf32>
}

// -----

// Upstream's scalar transfer patterns: extracts of an in-bounds read become
// scalar loads (every use an extract), and one-element writes scalar
// stores.
// CHECK-LABEL: func @upstream_scalar_transfers
//  CHECK-SAME:   %[[M:.*]]: memref<?xf32>, %[[I:.*]]: index, %[[V:.*]]: vector<1xf32>
//       CHECK:   %[[A:.*]] = memref.load %[[M]][%[[I]]] : memref<?xf32>
//       CHECK:   %[[J:.*]] = affine.apply #{{.*}}()[%[[I]]]
//       CHECK:   %[[B:.*]] = memref.load %[[M]][%[[J]]] : memref<?xf32>
//       CHECK:   %[[E:.*]] = vector.extract %[[V]][0] : f32 from vector<1xf32>
//       CHECK:   memref.store %[[E]], %[[M]][%[[I]]] : memref<?xf32>
//   CHECK-NOT:   vector.transfer
//       CHECK:   return %[[A]], %[[B]]
func.func @upstream_scalar_transfers(%m: memref<?xf32>, %i: index, %v: vector<1xf32>) -> (f32, f32) {
  %pad = arith.constant 0.0 : f32
  %r = vector.transfer_read %m[%i], %pad {in_bounds = [true]} : memref<?xf32>, vector<4xf32>
  %a = vector.extract %r[0] : f32 from vector<4xf32>
  %b = vector.extract %r[3] : f32 from vector<4xf32>
  vector.transfer_write %v, %m[%i] {in_bounds = [true]} : vector<1xf32>, memref<?xf32>
  return %a, %b : f32, f32
}
