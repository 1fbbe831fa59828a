// The transformer block example runs its residual adds fused into the norms
// (norm-fuse-residual, on by default in norm-lower-to-cpu): pre-norm fuses
// the second add into norm2, post-norm both adds. Fused and unfused
// compute the same numbers, bit for bit, for both blocks and both norms.
// RUN: norm-opt %norm_src_root/examples/transformer_block/tiny.mlir --norm-fuse-residual \
// RUN:   | FileCheck %s --check-prefix=IR
// IR-LABEL: func.func @block(
// IR-COUNT-1: norm.add_layer_norm
// IR-LABEL: func.func @block_post_norm(
// IR-COUNT-2: norm.add_layer_norm

// DEFINE: %{run} = norm-runner %norm_src_root/examples/transformer_block/tiny.mlir --random-inputs --seed 3
// RUN: %{run} -e block --fuse-residual=false --output %t.pre.npy
// RUN: %{run} -e block --compare %t.pre.npy | FileCheck %s
// RUN: %{run} -e block_post_norm --norm=rms --fuse-residual=false --output %t.post.npy
// RUN: %{run} -e block_post_norm --norm=rms --compare %t.post.npy | FileCheck %s
// CHECK: relative difference to {{.*}}: 0.000e+00 (max |diff| 0.000e+00)
