#!/usr/bin/env bash
# The main job (`make run`): JIT-compile and run the tiny transformer block
# (pre-norm, 80 tokens, dim 128, FFN 256, 8 heads) with LayerNorm and with
# RMSNorm on the same seeded input and weights, initialized as a fresh model
# is (the block's norm_runner.init attributes: projections N(0, 1/fan_in),
# norm scales 1, biases 0; the input N(0, 1)), and print one table with a
# column per norm kind.
set -euo pipefail
build=${1:-build}
runner="$build/bin/norm-runner"
example=examples/transformer_block/tiny.mlir
tokens=80
runs=200
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One of the block's norms alone, to estimate the share of the block's time
# spent in its two norms.
cat > "$tmp/norm.mlir" <<'EOF'
func.func @norm(%x: tensor<80x128xf32>,
                %g: tensor<128xf32> {norm_runner.init = "ones"},
                %b: tensor<128xf32> {norm_runner.init = "zeros"}) -> tensor<80x128xf32> {
  %y = norm.layer_norm %x scale(%g : tensor<128xf32>) bias(%b : tensor<128xf32>)
      : tensor<80x128xf32> -> tensor<80x128xf32>
  return %y : tensor<80x128xf32>
}
EOF

for kind in layer rms; do
  compare=()
  if [[ $kind == rms ]]; then compare=(--compare "$tmp/layer.npy"); fi
  "$runner" "$example" -e block --norm="$kind" --random-inputs --seed 42 \
    --param-stats --summary --bench "$runs" --output "$tmp/$kind.npy" \
    "${compare[@]}" > "$tmp/$kind.txt"
  "$runner" "$tmp/norm.mlir" -e norm --norm="$kind" --random-inputs --seed 42 \
    --bench 2000 > "$tmp/$kind-norm.txt"
done

# The first match of sed -E pattern $2 in $1's output, as its group 1.
field() { sed -nE "s/$2/\\1/p" "$tmp/$1.txt" | head -n 1; }

declare -A value
for kind in layer rms; do
  median=$(field "$kind" '^bench: .* median ([0-9.]+) ms.*')
  norm=$(field "$kind-norm" '^bench: .* median ([0-9.]+) ms.*')
  value[$kind,params]=$(field "$kind" '^normalization parameters: ([0-9]+) .*')
  value[$kind,sum]=$(field "$kind" '^result #0: .* sum ([^ ]+) .*')
  value[$kind,mean]=$(field "$kind" '^result #0: .* mean\|x\| ([^ ]+)$')
  value[$kind,first]=$(field "$kind" '^result #0: .* first \[([^,]+, [^,]+, [^,]+),.*')
  value[$kind,compile]="$(field "$kind" '^compile ([0-9.]+) s, .*') s"
  value[$kind,firstrun]="$(field "$kind" '^compile .* first run ([0-9.]+) ms$') ms"
  value[$kind,median]="$median ms"
  value[$kind,tokens]=$(awk -v t="$tokens" -v m="$median" 'BEGIN { printf "%.1fk", t / m }')
  value[$kind,gflops]=$(field "$kind" '^bench: .* ([0-9.]+) GFLOP\/s .*')
  value[$kind,share]=$(awk -v n="$norm" -v m="$median" \
    'BEGIN { printf "%.1f%% (2 x %.4f ms)", 200 * n / m, n }')
done
value[layer,diff]="(reference)"
value[rms,diff]=$(field rms '^result #0: relative difference to .*: ([^ ]+) .*')

row() { printf '%-30s %-30s %s\n' "$1" "${value[layer,$2]}" "${value[rms,$2]}"; }
echo "tiny transformer block: pre-norm, $tokens tokens, dim 128, FFN 256, 8 heads;"
echo "seed 42, input N(0,1), projections N(0,1/fan_in), norm scales 1, biases 0"
echo
printf '%-30s %-30s %s\n' "" "LayerNorm" "RMSNorm"
row "normalization parameters" params
row "output checksum (sum)" sum
row "output mean |y|" mean
row "output first values" first
row "relative L2 difference" diff
row "compile (lower + JIT)" compile
row "first run" firstrun
row "median run (of $runs)" median
row "tokens/s" tokens
row "matmul GFLOP/s" gflops
row "time in the 2 norms (est.)" share
