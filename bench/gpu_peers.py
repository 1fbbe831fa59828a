#!/usr/bin/env python3
"""PyTorch peers of norm's GPU kernels, timed like bench/gpu-bench.sh.

RMSNorm and LayerNorm forward (with scale, and bias for LayerNorm) on the
issue's shapes, f32 and bf16: PyTorch eager and torch.compile, each timed with
CUDA events over inputs rotated through more memory than L2 holds, next to a
device-to-device copy of the same bytes measured in the same run. Run where
PyTorch with CUDA is installed:  python3 bench/gpu_peers.py [--runs N]
"""
import argparse
import statistics

import torch
import torch.nn.functional as F

SHAPES = [(16384, 4096), (4096, 8192), (65536, 1024), (80, 128)]
ROTATION_BYTES = 256 << 20


def rms_norm(x, g, eps=1e-6):
    xf = x.float()
    y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return (y * g.float()).to(x.dtype)


def layer_norm(x, g, b, eps=1e-5):
    return F.layer_norm(x, x.shape[-1:], g, b, eps)


def time_ms(fn, inputs, runs):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    for i in range(3 * len(inputs)):
        fn(*inputs[i % len(inputs)])
    times = []
    for i in range(runs):
        args = inputs[i % len(inputs)]
        start.record()
        fn(*args)
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    print(f"device: {torch.cuda.get_device_name()}, torch {torch.__version__}")
    print(f"{'op':6} {'dtype':5} {'shape':12} {'impl':14} {'median ms':>10} {'GB/s':>8} {'copy GB/s':>10} {'ratio':>6}")
    for op in ["rms", "layer"]:
        for dtype in [torch.float32, torch.bfloat16]:
            for rows, n in SHAPES:
                bytes_moved = 2 * rows * n * torch.finfo(dtype).bits // 8
                copies = max(1, min(16, ROTATION_BYTES // bytes_moved))
                g = torch.randn(n, device="cuda", dtype=dtype)
                b = torch.randn(n, device="cuda", dtype=dtype)
                xs = [torch.randn(rows, n, device="cuda", dtype=dtype) for _ in range(copies)]
                outs = [torch.empty_like(x) for x in xs]
                copy_ms = time_ms(lambda x, o: o.copy_(x), list(zip(xs, outs)), args.runs)
                copy_gbps = bytes_moved / copy_ms * 1e-6
                eager = (lambda x: rms_norm(x, g)) if op == "rms" else (lambda x: layer_norm(x, g, b))
                for name, fn in [("torch eager", eager), ("torch.compile", torch.compile(eager))]:
                    ms = time_ms(fn, [(x,) for x in xs], args.runs)
                    gbps = bytes_moved / ms * 1e-6
                    dt = "f32" if dtype == torch.float32 else "bf16"
                    print(f"{op:6} {dt:5} {rows}x{n:<7} {name:14} {ms:10.4f} {gbps:8.1f} {copy_gbps:10.1f} {gbps / copy_gbps:6.3f}")


if __name__ == "__main__":
    main()
