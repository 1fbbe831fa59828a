#!/bin/bash
# The GPU half of `make bench`: norm's kernels on the issue's shapes, each
# timed with CUDA events over rotated inputs and printed next to a
# device-to-device copy of the same bytes measured in the same run.
# Usage: bench/gpu-bench.sh BUILD_DIR [RUNS]
set -euo pipefail
build=${1:?usage: gpu-bench.sh BUILD_DIR [RUNS]}
runs=${2:-100}
runner="$build/bin/norm-runner"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

module() { # op dtype features -> file
  local op=$1 t=$2 n=$3 f="$tmp/$1-$2-$3.mlir"
  if [ "$op" = rms ]; then
    cat > "$f" <<MLIR
func.func @main(%x: tensor<?x${n}x$t>, %g: tensor<${n}x$t>) -> tensor<?x${n}x$t> {
  %y = norm.rms_norm %x scale(%g : tensor<${n}x$t>) : tensor<?x${n}x$t> -> tensor<?x${n}x$t>
  return %y : tensor<?x${n}x$t>
}
MLIR
  else
    cat > "$f" <<MLIR
func.func @main(%x: tensor<?x${n}x$t>, %g: tensor<${n}x$t>, %b: tensor<${n}x$t>) -> tensor<?x${n}x$t> {
  %y = norm.layer_norm %x scale(%g : tensor<${n}x$t>) bias(%b : tensor<${n}x$t>) : tensor<?x${n}x$t> -> tensor<?x${n}x$t>
  return %y : tensor<?x${n}x$t>
}
MLIR
  fi
  echo "$f"
}

printf '%-6s %-5s %-12s %10s %10s %10s %7s\n' op dtype shape "median ms" "GB/s" "copy GB/s" ratio
for op in rms layer; do
  for t in f32 bf16; do
    for shape in 16384x4096 4096x8192 65536x1024 80x128; do
      rows=${shape%x*} n=${shape#*x}
      out=$("$runner" "$(module $op $t $n)" --target=gpu --random-inputs \
              --shape "0=$shape" --bench "$runs")
      # bench: N runs on DEV, median M ms, min .. ms, G GB/s (...); device copy of the same bytes C GB/s; ratio R; ...
      median=$(sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' <<<"$out")
      gbps=$(sed -n 's/.*min [0-9.]* ms, \([0-9.]*\) GB\/s.*/\1/p' <<<"$out")
      copy=$(sed -n 's/.*same bytes \([0-9.]*\) GB\/s.*/\1/p' <<<"$out")
      ratio=$(sed -n 's/.*ratio \([0-9.]*\);.*/\1/p' <<<"$out")
      printf '%-6s %-5s %-12s %10s %10s %10s %7s\n' $op $t $shape "$median" "$gbps" "$copy" "$ratio"
    done
  done
done
sed -n 's/.*runs on \([^,]*\),.*/device: \1/p' <<<"$out"
