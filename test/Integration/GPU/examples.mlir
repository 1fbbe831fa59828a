// REQUIRES: gpu
// The CPU integration tests' hand-computed values, on the GPU.
// RUN: norm-runner %S/../CPU/rms_norm.mlir --target=gpu --print | FileCheck %S/../CPU/rms_norm.mlir
// RUN: norm-runner %S/../CPU/layer_norm.mlir --target=gpu --print | FileCheck %S/../CPU/layer_norm.mlir
// RUN: norm-runner %S/../CPU/axes.mlir --target=gpu --print | FileCheck %S/../CPU/axes.mlir
// RUN: norm-runner %S/../CPU/empty.mlir -e empty_rows --target=gpu --print | FileCheck %S/../CPU/empty.mlir --check-prefix=ROWS
// RUN: norm-runner %S/../CPU/empty.mlir -e empty_features --target=gpu --print | FileCheck %S/../CPU/empty.mlir --check-prefix=FEATURES

// The transformer block, pre- and post-norm, LayerNorm and RMSNorm: the GPU's
// result against the CPU's (which TransformerBlockTest checks against the
// float64 reference) on the same weights, scaled by 1/sqrt(fan-in) as for
// training: max |gpu - cpu| <= 1e-4 max |cpu|.
// DEFINE: %{ref} = %python %S/../CPU/Inputs/norm_reference.py
// RUN: %{ref} random %t.x.npy 80x128 --seed 1
// RUN: %{ref} random %t.g1.npy 128 --seed 2 --mean 1 --std 0.2
// RUN: %{ref} random %t.b1.npy 128 --seed 3 --std 0.2
// RUN: %{ref} random %t.wq.npy 128x128 --seed 4 --std 0.0884
// RUN: %{ref} random %t.wk.npy 128x128 --seed 5 --std 0.0884
// RUN: %{ref} random %t.wv.npy 128x128 --seed 6 --std 0.0884
// RUN: %{ref} random %t.wo.npy 128x128 --seed 7 --std 0.0884
// RUN: %{ref} random %t.g2.npy 128 --seed 8 --mean 1 --std 0.2
// RUN: %{ref} random %t.b2.npy 128 --seed 9 --std 0.2
// RUN: %{ref} random %t.wg.npy 128x256 --seed 10 --std 0.0884
// RUN: %{ref} random %t.wu.npy 128x256 --seed 11 --std 0.0884
// RUN: %{ref} random %t.wd.npy 256x128 --seed 12 --std 0.0625
// DEFINE: %{entry} = block
// DEFINE: %{norm} = layer
// DEFINE: %{block} = norm-runner %norm_src_root/examples/transformer_block/tiny.mlir -e %{entry} --norm=%{norm} --input %t.x.npy --input %t.g1.npy --input %t.b1.npy --input %t.wq.npy --input %t.wk.npy --input %t.wv.npy --input %t.wo.npy --input %t.g2.npy --input %t.b2.npy --input %t.wg.npy --input %t.wu.npy --input %t.wd.npy
// DEFINE: %{check_block} = %{block} --output %t.cpu.npy && %{block} --target=gpu --output %t.gpu.npy && %{ref} compare %t.gpu.npy %t.cpu.npy --rtol 1e-4
// RUN: %{check_block} | FileCheck %s --check-prefix=BLOCK
// REDEFINE: %{norm} = rms
// RUN: %{check_block} | FileCheck %s --check-prefix=BLOCK
// REDEFINE: %{entry} = block_post_norm
// RUN: %{check_block} | FileCheck %s --check-prefix=BLOCK
// REDEFINE: %{norm} = layer
// RUN: %{check_block} | FileCheck %s --check-prefix=BLOCK
// BLOCK: compared 10240 values: match, max error
