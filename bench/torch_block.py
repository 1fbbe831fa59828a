#!/usr/bin/env python3
"""The transformer block against PyTorch, on the same weights and threads.

`make bench-torch` (Debian's /usr/bin/python3 with python3-torch): for each
config of examples/transformer_block (tiny, 7b), norm kind and thread count,
the pre-norm block (@block, as generate.py writes it) runs in norm-runner
and in PyTorch eager mode on the same weights, which this script draws and
writes as .npy files. Each round runs ours (one norm-runner process:
compile, load, warm-up, then timed runs) and then PyTorch (warm-up, then
the same number of timed runs); the table gives the median over rounds of
each round's median, so compile time and first runs are never timed.

One thread is norm's serial code (--parallel=false) against
torch.set_num_threads(1); more is norm's parallel code on all cores
(--parallel=true) against torch.set_num_threads(all cores). Before any
timing, each configuration's outputs are compared: max |ours - torch| /
max |torch| must stay under --tolerance, or the script fails.
"""

import argparse
import ctypes
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, os.pardir, "examples", "transformer_block")
sys.path.insert(0, EXAMPLES)
from generate import CONFIGS  # noqa: E402  (one definition of the shapes)

# The block's arguments in order (generate.py's docstring).
ARGS = ["x", "norm1_gamma", "norm1_beta", "wq", "wk", "wv", "wo",
        "norm2_gamma", "norm2_beta", "w_gate", "w_up", "w_down"]
# The epsilon of norm.layer_norm, which norm-set-kind keeps for RMSNorm.
EPSILON = 1e-5
# Rounds, timed runs per round and untimed runs after the first, per config,
# where the options do not say: a 7b run takes seconds, and its first run
# already leaves it in steady state.
DEFAULTS = {"tiny": dict(rounds=5, runs=20, warmup=3),
            "7b": dict(rounds=3, runs=1, warmup=0)}
NORM_KINDS = ("layer", "rms")


class Error(Exception):
    """A message for the user; the script exits 1."""


def parse_list(text, allowed, what):
    items = [item for item in text.split(",") if item]
    bad = [item for item in items if item not in allowed]
    if bad or not items:
        raise Error(f"--{what}={text}: expected a comma-separated list of "
                    f"{', '.join(allowed)}")
    return items


def parse_args(argv):
    cores = os.cpu_count() or 1
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--configs", default="tiny,7b", help="comma-separated: tiny,7b")
    p.add_argument("--norms", default="layer,rms", help="comma-separated: layer,rms")
    p.add_argument("--threads", default=",".join(sorted({"1", str(cores)})),
                   help=f"comma-separated; each 1 or {cores} (all cores: "
                        "norm's parallel code runs on all of them)")
    p.add_argument("--rounds", type=int,
                   help="interleaved rounds (default: tiny 5, 7b 3)")
    p.add_argument("--runs", type=int,
                   help="timed runs per round and side (default: tiny 20, 7b 1)")
    p.add_argument("--warmup", type=int,
                   help="untimed runs per round and side after the first "
                        "(default: tiny 3, 7b 0)")
    p.add_argument("--build-dir", default="build", help="where bin/norm-runner is")
    p.add_argument("--work-dir", help="where weights and outputs go "
                                      "(default BUILD_DIR/torch_block)")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights")
    p.add_argument("--tolerance", type=float, default=1e-4,
                   help="largest max|ours - torch| / max|torch| accepted")
    p.add_argument("--check-only", action="store_true",
                   help="compare the outputs, time nothing")
    p.add_argument("--perturb", choices=ARGS,
                   help="for tests: change this argument on the PyTorch side "
                        "only, which the comparison must catch")
    args = p.parse_args(argv)
    args.configs = parse_list(args.configs, list(CONFIGS), "configs")
    args.norms = parse_list(args.norms, NORM_KINDS, "norms")
    threads = parse_list(args.threads, sorted({"1", str(cores)}), "threads")
    args.threads = [int(t) for t in threads]
    for name, least in (("rounds", 1), ("runs", 1), ("warmup", 0)):
        value = getattr(args, name)
        if value is not None and value < least:
            raise Error(f"--{name}={value}: must be at least {least}")
    args.runner = os.path.join(args.build_dir, "bin", "norm-runner")
    if not os.access(args.runner, os.X_OK):
        raise Error(f"no norm-runner at {args.runner}: run `make build` "
                    "first, or pass --build-dir")
    args.work_dir = args.work_dir or os.path.join(args.build_dir, "torch_block")
    return args


# The environment of our norm-runner processes: the caller's, before
# import_torch sets OMP_WAIT_POLICY for torch.
OURS_ENV = None


def import_torch():
    # libgomp's default spin-waiting makes two threads 50-70x slower than
    # one on the tiny block as soon as another job shares the two cores (a
    # spinning thread holds the core its partner waits for); passive waiting
    # costs nothing measurable alone. Read once, when torch loads libgomp.
    global OURS_ENV
    OURS_ENV = dict(os.environ)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch
    except ImportError:
        raise Error(f"PyTorch is not installed for {sys.executable}: install "
                    "Debian's python3-torch and run /usr/bin/python3 "
                    "bench/torch_block.py (make bench-torch does)")
    return torch


def make_weights(config, seed):
    """The block's arguments, drawn as norm-bench draws them: x ~ N(0, 1);
    gammas ~ N(1, 0.1) and betas ~ N(0, 0.1) (not the trained-from-scratch
    ones and zeros, so that a mix-up shows); projections ~ N(0, 1/fan_in)."""
    import numpy as np
    c = CONFIGS[config]
    S, D, F = c["seq"], c["dim"], c["hidden"]
    shapes = {"x": (S, D), "wq": (D, D), "wk": (D, D), "wv": (D, D),
              "wo": (D, D), "w_gate": (D, F), "w_up": (D, F), "w_down": (F, D)}
    rng = np.random.default_rng(seed)
    weights = {}
    for name in ARGS:
        if name in shapes:
            scale = 1.0 if name == "x" else shapes[name][0] ** -0.5
            w = rng.standard_normal(shapes[name], dtype=np.float32)
            w *= np.float32(scale)
        else:
            w = rng.standard_normal(D, dtype=np.float32) * np.float32(0.1)
            if name.endswith("gamma"):
                w += np.float32(1.0)
        weights[name] = w
    return weights


def save_weights(weights, directory):
    import numpy as np
    os.makedirs(directory, exist_ok=True)
    paths = []
    for i, name in enumerate(ARGS):
        path = os.path.join(directory, f"{i:02d}_{name}.npy")
        np.save(path, weights[name])
        paths.append(path)
    return paths


def torch_block(torch, config, kind, w):
    """The block as generate.py defines @block, in PyTorch eager mode:
    h = x + Attn(Norm1(x)); y = h + FFN(Norm2(h))."""
    F = torch.nn.functional
    c = CONFIGS[config]
    S, D, H = c["seq"], c["dim"], c["heads"]
    Dh = D // H
    inv_sqrt_dh = 1.0 / Dh ** 0.5
    future = torch.ones(S, S, dtype=torch.bool).triu(1)

    def norm(v, gamma, beta):
        if kind == "layer":
            return F.layer_norm(v, (D,), gamma, beta, EPSILON)
        return v * torch.rsqrt(v.square().mean(-1, keepdim=True) + EPSILON) * gamma

    def attention(n):
        q = (n @ w["wq"]).view(S, H, Dh).transpose(0, 1)    # [H, S, Dh]
        k = (n @ w["wk"]).view(S, H, Dh).permute(1, 2, 0)   # [H, Dh, S]
        v = (n @ w["wv"]).view(S, H, Dh).transpose(0, 1)    # [H, S, Dh]
        scores = torch.bmm(q, k).mul_(inv_sqrt_dh).masked_fill_(future, float("-inf"))
        context = torch.bmm(torch.softmax(scores, -1), v)   # [H, S, Dh]
        return context.transpose(0, 1).reshape(S, D) @ w["wo"]

    def ffn(n):
        return (F.silu(n @ w["w_gate"]) * (n @ w["w_up"])) @ w["w_down"]

    def block():
        x = w["x"]
        h = x + attention(norm(x, w["norm1_gamma"], w["norm1_beta"]))
        return h + ffn(norm(h, w["norm2_gamma"], w["norm2_beta"]))

    return block


def get_plan(args, config):
    """Rounds, runs and warm-up runs of `config`: the options, else its
    defaults."""
    plan = dict(DEFAULTS.get(config, DEFAULTS["7b"]))
    for name in plan:
        if getattr(args, name) is not None:
            plan[name] = getattr(args, name)
    if args.check_only:
        plan.update(rounds=1, runs=1, warmup=0)
    return plan


def run_ours(args, config, kind, threads, paths, plan, output):
    """One norm-runner process: its --bench median and fastest run in
    seconds; the first run's result is written to `output`."""
    mlir = os.path.join(EXAMPLES, f"{config}.mlir")
    command = [args.runner, mlir, "-e", "block", f"--norm={kind}",
               f"--parallel={'true' if threads > 1 else 'false'}",
               f"--bench={plan['runs']}", f"--bench-warmup={plan['warmup']}",
               "--output", output] + [f"--input={p}" for p in paths]
    # Without the PASSIVE set for torch's libgomp above (unless the user set
    # it): norm-runner's libomp would honour it and put its workers to sleep
    # after every parallel region, paying a wake-up (about 90 us here) per
    # region; its default here is to spin 1 ms (KMP_BLOCKTIME=1). torch's
    # passive threads do not compete while it runs.
    done = subprocess.run(command, capture_output=True, text=True,
                          env=OURS_ENV)
    if done.returncode != 0:
        raise Error(f"{' '.join(command)} failed ({done.returncode}):\n"
                    f"{done.stderr.strip()}")
    match = re.search(r"bench: \d+ runs, median ([0-9.]+) ms, min ([0-9.]+) ms",
                      done.stdout)
    if not match:
        raise Error(f"no 'bench:' line in norm-runner's output:\n{done.stdout}")
    return float(match.group(1)) * 1e-3, float(match.group(2)) * 1e-3


def set_threads(torch, threads):
    """torch.set_num_threads, and the same for the BLAS that Debian's torch
    (BLAS_INFO=generic) calls for matmuls: OpenBLAS's own threads ignore
    torch's setting, so PyTorch's "1 thread" 7b block ran on both cores."""
    torch.set_num_threads(threads)
    for name in ("libopenblas.so.0", "libblas.so.3"):
        try:
            blas = ctypes.CDLL(name)
        except OSError:
            continue
        if hasattr(blas, "openblas_set_num_threads"):
            blas.openblas_set_num_threads(threads)


def run_torch(torch, block, plan):
    """Median and fastest seconds of the plan's runs after its warm-up + 1
    untimed ones (ours has its first run untimed too)."""
    with torch.inference_mode():
        for _ in range(plan["warmup"] + 1):
            block()
        seconds = []
        for _ in range(plan["runs"]):
            start = time.perf_counter()
            block()
            seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), min(seconds)


def max_relative_difference(ours, theirs):
    import numpy as np
    return float(np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))


def bench_config(args, torch, config, rows):
    import numpy as np
    directory = os.path.join(args.work_dir, config)
    weights = make_weights(config, args.seed)
    paths = save_weights(weights, directory)
    if args.perturb:
        weights[args.perturb] = weights[args.perturb] + np.float32(1e-2)
    tensors = {name: torch.from_numpy(w) for name, w in weights.items()}
    plan = get_plan(args, config)
    seq = CONFIGS[config]["seq"]
    for kind in args.norms:
        block = torch_block(torch, config, kind, tensors)
        with torch.inference_mode():
            expected = block().numpy()
        for threads in args.threads:
            set_threads(torch, threads)
            output = os.path.join(directory, f"ours_{kind}_{threads}.npy")
            ours, theirs = [], []
            for _ in range(plan["rounds"]):
                ours.append(run_ours(args, config, kind, threads, paths, plan, output))
                theirs.append(run_torch(torch, block, plan))
            diff = max_relative_difference(np.load(output), expected)
            # Medians of the rounds' medians; the speed ratio of the fastest
            # runs too, which another job on the cores cannot lower.
            times = (None, None, None) if args.check_only else (
                statistics.median(m for m, _ in ours),
                statistics.median(m for m, _ in theirs),
                min(f for _, f in theirs) / min(f for _, f in ours))
            rows.append((config, kind, threads, *times, seq, diff))
            print_row(rows[-1], flush=True)


HEADER = (f"{'config':<6} {'norm':<6} {'threads':>7} {'ours ms':>10} "
          f"{'torch ms':>10} {'ours tok/s':>11} {'torch tok/s':>11} "
          f"{'ours/torch':>10} {'fastest':>8} {'max rel diff':>12}")


def print_row(row, flush=False):
    config, kind, threads, ours, theirs, fastest, seq, diff = row
    if ours is None:  # --check-only
        times = f"{'-':>10} {'-':>10} {'-':>11} {'-':>11} {'-':>10} {'-':>8}"
    else:
        times = (f"{ours * 1e3:>10.3f} {theirs * 1e3:>10.3f} "
                 f"{seq / ours:>11.1f} {seq / theirs:>11.1f} "
                 f"{theirs / ours:>10.3f} {fastest:>8.3f}")
    print(f"{config:<6} {kind:<6} {threads:>7} {times} {diff:>12.2e}",
          flush=flush)


def main(argv):
    try:
        args = parse_args(argv)
        torch = import_torch()
        mode = ("outputs compared only" if args.check_only else
                "median over interleaved rounds (ours, torch) of each "
                "round's median run; rounds x timed runs (+ untimed): " +
                ", ".join(f"{c} {p['rounds']} x {p['runs']} (+ 1 + {p['warmup']})"
                          for c in args.configs for p in [get_plan(args, c)]))
        print(f"== Transformer block (pre-norm, f32) against PyTorch "
              f"{torch.__version__} eager (inference_mode, OMP_WAIT_POLICY="
              f"{os.environ['OMP_WAIT_POLICY']}) on the same "
              f"weights (seed {args.seed}): {mode}; 'ours/torch' is speed "
              f"(torch ms / ours ms, > 1: ours faster), 'fastest' the same of "
              f"the fastest runs; 'max rel diff' is "
              f"max|ours - torch| / max|torch| ==")
        print(HEADER, flush=True)
        rows = []
        for config in args.configs:
            bench_config(args, torch, config, rows)
        failed = [r for r in rows if not r[-1] <= args.tolerance]
        for config, kind, threads, *_, diff in failed:
            print(f"torch_block.py: error: {config} {kind} {threads} thread(s): "
                  f"outputs differ by {diff:.2e} > --tolerance={args.tolerance:g}",
                  file=sys.stderr)
        return 1 if failed else 0
    except Error as error:
        print(f"torch_block.py: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
