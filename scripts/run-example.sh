#!/usr/bin/env bash
# The main job (`make run`): JIT-compile and run the tiny transformer block
# (dim 128, FFN 256, 8 heads, 80 tokens) with LayerNorm and with RMSNorm, on
# the same seeded weights and inputs, and print both side by side.
set -euo pipefail
build=${1:-build}
runner="$build/bin/norm-runner"
example=examples/transformer_block/tiny.mlir

for kind in layer rms; do
  echo "=== tiny transformer block, pre-norm, norm=$kind ==="
  "$runner" "$example" -e block --norm="$kind" --random-inputs --seed 42 \
    --param-stats --summary --bench 50
  echo
done
