#!/usr/bin/env bash
# Runs each libFuzzer target of BUILD_DIR (default build-fuzz) for
# FUZZ_SECONDS (default 60) on its corpus: BUILD_DIR/fuzz/corpus/<target>,
# which grows across runs, plus the seeds (the test suite's IR split on
# `// -----`, regenerated here; fuzz/corpus/npy for the .npy reader).
# Crashing inputs are written to BUILD_DIR/fuzz/artifacts/. Extra arguments go
# to libFuzzer. Exits non-zero if a target crashes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-norm-ir-fuzzer norm-nvvm-fuzzer norm-npy-fuzzer}"
work="$build/fuzz"
mkdir -p "$work/artifacts"
python3 "$root/fuzz/make-seeds.py" "$root" "$work/seeds/ir" 16384

# Reports are fatal; leaks inside LLVM's global state are upstream's.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/utils/sanitizers/lsan.supp}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# With -jobs, libFuzzer writes fuzz-N.log into the working directory.
cd "$work"
status=0
for target in $targets; do
  corpus="$work/corpus/$target"
  mkdir -p "$corpus"
  case "$target" in
    norm-npy-fuzzer) seeds=("$root/fuzz/corpus/npy"); flags=(-max_len=4096) ;;
    *) seeds=("$work/seeds/ir"); flags=(-max_len=16384 -dict="$root/fuzz/mlir.dict") ;;
  esac
  echo "== $target: ${seconds}s"
  # -timeout: the lowerings of small inputs take well under a second.
  rc=0
  "$build/bin/$target" "$corpus" "${seeds[@]}" "${flags[@]}" \
      -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
      -artifact_prefix="$work/artifacts/$target-" -print_final_stats=1 "$@" \
      >"$work/$target.log" 2>&1 || rc=$?
  grep -E "^#[0-9]+.*(INITED|DONE)|stat::number_of_executed_units|ERROR|runtime error|SUMMARY|norm-(npy-)?fuzzer:" \
      "$work/$target.log" || true
  if [ "$rc" -ne 0 ]; then
    echo "$target: crashed (exit $rc; log $work/$target.log)"
    status=1
  fi
done
exit $status
