#!/usr/bin/env python3
"""`make train`: trains the language model with LayerNorm and with RMSNorm and
compares them.

Both runs use the same corpus (examples/lm/corpus.txt, last 10% held out),
the same seed, hence the same batches and the same initial weights for every
tensor but the norms' (scales 1 for both; LayerNorm's biases 0), and the same
schedule. Each run is one `norm-train` process (its progress lines are
shown); this script then prints one table side by side, and writes into the
output directory the per-step metrics (<norm>.csv), the summaries
(<norm>.json), the table (table.md) and the loss and gradient-norm curves
(curves.png, with matplotlib).

Usage: compare.py [--build-dir build] [--steps N] [--out DIR]
"""

import argparse
import csv
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NORMS = [("layer", "LayerNorm"), ("rms", "RMSNorm")]
GROUPS = ["embedding", "attention", "ffn", "norms", "head"]


def train(args, norm):
    out = args.out
    cmd = [os.path.join(args.build_dir, "bin", "norm-train"), os.path.join(HERE, f"train-{norm}.mlir"),
           f"--data={os.path.join(HERE, 'corpus.txt')}", f"--steps={args.steps}", f"--seed={args.seed}",
           f"--log-every={args.log_every}", f"--target-loss={args.target_loss}",
           f"--csv={os.path.join(out, norm + '.csv')}", f"--report={os.path.join(out, norm + '.json')}",
           f"--save-to={os.path.join(out, 'weights-' + norm)}"]
    print("$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    with open(os.path.join(out, norm + ".json")) as f:
        report = json.load(f)
    with open(os.path.join(out, norm + ".csv")) as f:
        rows = list(csv.DictReader(f))
    return report, rows


def table(reports):
    r = reports

    def row(label, fn):
        return f"| {label} | " + " | ".join(fn(x) for x in r) + " |"

    first = r[0]
    lines = [
        "| | " + " | ".join(name for _, name in NORMS) + " |",
        "| --- | " + " | ".join("---" for _ in NORMS) + " |",
        row("parameters (in norms)", lambda x: f"{x['parameters']:,} ({x['norm_parameters']})"),
        row("validation loss: initial", lambda x: f"{x['val_initial']:.4f}"),
        row("validation loss: final", lambda x: f"{x['val_final']:.4f}"),
        row("validation loss: best (step)", lambda x: f"{x['val_best']:.4f} ({x['val_best_step']})"),
        row(f"train loss variance, last {first['stability_window']} steps",
            lambda x: f"{x['train_loss_variance_last']:.2e}"),
        row(f"steps to validation loss <= {first['target_loss']}",
            lambda x: str(x["steps_to_target"]) if x["steps_to_target"] >= 0 else "not reached"),
        row("time per step (driver included)", lambda x: f"{x['step_ms']:.2f} ms"),
        row("time per step (compiled step alone)", lambda x: f"{x['profiled_step_ms']:.2f} ms"),
        row("tokens/s", lambda x: f"{x['tokens_per_second'] / 1e3:.1f}k"),
        row(f"time per epoch ({first['steps_per_epoch']:.0f} steps)", lambda x: f"{x['epoch_seconds']:.1f} s"),
        row("share in the norms (fwd + bwd, timed alone)",
            lambda x: f"{100 * x['profiled_norms_ms'] / x['profiled_step_ms']:.1f}% "
                      f"({x['profiled_norms_ms'] * 1e3:.0f} us)"),
        row("share in the matmuls (timed alone)",
            lambda x: f"{100 * x['profiled_matmuls_ms'] / x['profiled_step_ms']:.0f}% "
                      f"({x['matmul_flops_per_step'] / x['profiled_matmuls_ms'] * 1e-6:.0f} GFLOP/s)"),
        row("share in the transposes (timed alone)",
            lambda x: f"{100 * x['profiled_transposes_ms'] / x['profiled_step_ms']:.0f}% "
                      f"({x['profiled_transposes_ms']:.2f} ms)"),
        row("steps clipped (global norm > 1)",
            lambda x: f"{x['clipped_steps']} of {x['steps']} ({100 * x['clipped_steps'] / x['steps']:.0f}%)"),
        row("mean gradient norm", lambda x: f"{x['grad_norm_mean']:.3f}"),
    ]
    for g in GROUPS:
        lines.append(row(f"grad {g}: norm mean / var over steps",
                         lambda x: f"{x['groups'][g]['grad_norm_mean']:.3g} / "
                                   f"{x['groups'][g]['grad_norm_variance']:.2g}"))
        lines.append(row(f"grad {g}: element RMS / variance",
                         lambda x: f"{x['groups'][g]['grad_rms_mean']:.2e} / "
                                   f"{x['groups'][g]['grad_variance_mean']:.2e}"))
    lines.append(row("compile (5 entries)", lambda x: f"{x['compile_seconds']:.1f} s"))
    return "\n".join(lines)


def plot(runs, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing (scripts/install-deps.sh --train installs it): no plot")
        return False
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    for (norm, name), rows in zip(NORMS, runs):
        steps = [int(r["step"]) for r in rows]
        loss = [float(r["loss"]) for r in rows]
        window = 25
        smooth = [sum(loss[max(0, i - window + 1):i + 1]) / len(loss[max(0, i - window + 1):i + 1])
                  for i in range(len(loss))]
        line, = ax1.plot(steps, smooth, label=f"{name} train (mean of {window} steps)", linewidth=1)
        val = [(int(r["step"]), float(r["val_loss"])) for r in rows if r["val_loss"]]
        ax1.plot([s for s, _ in val], [v for _, v in val], "o-", color=line.get_color(), markersize=2,
                 linewidth=1.5, label=f"{name} validation")
        ax2.plot(steps, [float(r["grad_norm"]) for r in rows], color=line.get_color(), linewidth=0.6,
                 alpha=0.8, label=name)
    ax1.set_xlabel("step")
    ax1.set_ylabel("cross-entropy (nats/char)")
    ax1.set_ylim(top=min(4.0, ax1.get_ylim()[1]))
    ax1.set_title("loss")
    ax1.legend()
    ax1.grid(alpha=0.3)
    ax2.axhline(1.0, color="gray", linestyle="--", linewidth=0.8, label="clip threshold")
    ax2.set_xlabel("step")
    ax2.set_ylabel("global gradient norm (before clipping)")
    ax2.set_yscale("log")
    ax2.set_title("gradient norm")
    ax2.legend()
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--log-every", type=int, default=250)
    parser.add_argument("--target-loss", type=float, default=1.0)
    parser.add_argument("--out", help="output directory (default: BUILD_DIR/train)")
    args = parser.parse_args()
    args.out = args.out or os.path.join(args.build_dir, "train")
    os.makedirs(args.out, exist_ok=True)
    results = [train(args, norm) for norm, _ in NORMS]
    reports, runs = [r for r, _ in results], [rows for _, rows in results]
    text = table(reports)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(text + "\n")
    print()
    print(f"{args.steps} steps of {reports[0]['tokens_per_step']} tokens, seed {args.seed}, same batches and "
          f"initial weights (norm parameters aside)")
    print(text)
    png = os.path.join(args.out, "curves.png")
    if plot(runs, png):
        print(f"\ncurves: {png}")
    print(f"per-step metrics: {os.path.join(args.out, '<norm>.csv')}; summaries: <norm>.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
