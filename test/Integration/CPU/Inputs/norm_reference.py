"""Float64 reference checks of norm-runner results, in plain Python.

Lit tests use this where numpy may be missing: it writes seeded random .npy
inputs, and compares .npy results with the float64 reference of RMSNorm or
LayerNorm over the last axis (or with another result), printing one line
that the test CHECKs and exiting non-zero on a mismatch.

  norm_reference.py random OUT.npy DxD... --seed N [--mean M] [--std S] [--bf16]
  norm_reference.py check rms|layer --x X.npy [--scale G.npy] [--bias B.npy]
                    --eps E --y Y.npy [--bf16]
  norm_reference.py compare GOT.npy WANT.npy --rtol R
  norm_reference.py matmul --a A.npy --b B.npy --y Y.npy [--transpose-b]
"""

import argparse
import ast
import math
import random
import struct
import sys

_FORMATS = {"<f2": "e", "<f4": "f", "<f8": "d"}


def read_npy(path):
    """(shape, values as a list of floats) of a C-order .npy file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        sys.exit(f"{path}: not a .npy file")
    if data[6] == 1:
        (length,) = struct.unpack_from("<H", data, 8)
        start = 10
    else:
        (length,) = struct.unpack_from("<I", data, 8)
        start = 12
    header = ast.literal_eval(data[start:start + length].decode("latin1"))
    if header["fortran_order"] or header["descr"] not in _FORMATS:
        sys.exit(f"{path}: unsupported array {header}")
    code = _FORMATS[header["descr"]]
    count = math.prod(header["shape"])
    values = struct.unpack_from(f"<{count}{code}", data, start + length)
    return tuple(header["shape"]), list(values)


def write_npy(path, shape, values):
    """A C-order <f4 .npy file (version 1.0)."""
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % (
        repr(tuple(shape)))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(struct.pack(f"<{len(values)}f", *values))


def round_to_bf16(value):
    """The nearest bf16 (ties to even), as a float."""
    (bits,) = struct.unpack("<I", struct.pack("<f", value))
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def random_array(args):
    shape = [int(d) for d in args.shape.split("x")]
    rng = random.Random(args.seed)
    values = [rng.gauss(args.mean, args.std) for _ in range(math.prod(shape))]
    values = [struct.unpack("<f", struct.pack("<f", v))[0] for v in values]
    if args.bf16:
        values = [round_to_bf16(v) for v in values]
    write_npy(args.out, shape, values)


def parameter(path, cols):
    """A [cols] or broadcast [1] parameter, as cols values."""
    if path is None:
        return None
    shape, values = read_npy(path)
    if shape == (1,):
        return values * cols
    if shape != (cols,):
        sys.exit(f"{path}: shape {shape} is neither [{cols}] nor [1]")
    return values


def check(args):
    (rows, cols), x = read_npy(args.x)
    scale = parameter(args.scale, cols)
    bias = parameter(args.bias, cols)
    y_shape, y = read_npy(args.y)
    if y_shape != (rows, cols):
        sys.exit(f"result shape {y_shape}, expected {(rows, cols)}")
    # Rounding the f32-computed result to bf16 adds up to 2^-9 relative.
    rtol = 2.0**-8 if args.bf16 else 1e-5
    atol = 1e-5
    mismatches, max_error = 0, 0.0
    for r in range(rows):
        row = x[r * cols:(r + 1) * cols]
        mean = math.fsum(row) / cols if args.op == "layer" else 0.0
        moment = math.fsum((v - mean) ** 2 for v in row) / cols
        inv = 1.0 / math.sqrt(moment + args.eps)
        for c in range(cols):
            want = (row[c] - mean) * inv
            if scale:
                want *= scale[c]
            if bias:
                want += bias[c]
            got = y[r * cols + c]
            error = abs(got - want)
            max_error = max(max_error, error)
            if not error <= atol + rtol * abs(want):
                if mismatches < 5:
                    print(f"mismatch at [{r}, {c}]: got {got}, want {want}")
                mismatches += 1
    print(f"{args.op} [{rows}, {cols}]: {mismatches} mismatches, "
          f"max error {max_error:.3g}")
    return 1 if mismatches else 0


def compare(args):
    got_shape, got = read_npy(args.got)
    want_shape, want = read_npy(args.want)
    if got_shape != want_shape:
        sys.exit(f"shape {got_shape}, expected {want_shape}")
    scale = max((abs(v) for v in want), default=0.0)
    max_error = max((abs(g - w) for g, w in zip(got, want)), default=0.0)
    # NaN fails too: the comparison is false.
    ok = all(abs(g - w) <= args.rtol * scale for g, w in zip(got, want))
    print(f"compared {len(got)} values: {'match' if ok else 'MISMATCH'}, "
          f"max error {max_error:.3g} of max |want| {scale:.3g}")
    return 0 if ok else 1


def matmul(args):
    """Y = A x B (batched when rank 3; B given as [n, k] with --transpose-b),
    each element within 1e-5 of the float64 sum of |a b| over k: the error of
    an f32 dot product of K terms is at most K * 2^-24 of it, and a term
    missing or counted twice is off by one |a b| of it."""
    a_shape, a = read_npy(args.a)
    b_shape, b = read_npy(args.b)
    y_shape, y = read_npy(args.y)
    batch = a_shape[0] if len(a_shape) == 3 else 1
    m, k = a_shape[-2:]
    n = b_shape[-2] if args.transpose_b else b_shape[-1]
    if y_shape != a_shape[:-2] + (m, n):
        sys.exit(f"result shape {y_shape}, expected {a_shape[:-2] + (m, n)}")
    mismatches, max_error = 0, 0.0
    for p in range(batch):
        for i in range(m):
            row = a[(p * m + i) * k:(p * m + i + 1) * k]
            for j in range(n):
                if args.transpose_b:
                    col = b[(p * n + j) * k:(p * n + j + 1) * k]
                else:
                    col = b[p * k * n + j:(p + 1) * k * n:n]
                terms = [u * v for u, v in zip(row, col)]
                want = math.fsum(terms)
                got = y[(p * m + i) * n + j]
                error = abs(got - want)
                max_error = max(max_error, error)
                if not error <= 1e-5 * math.fsum(abs(t) for t in terms):
                    if mismatches < 5:
                        print(f"mismatch at [{p}, {i}, {j}]: got {got}, "
                              f"want {want}")
                    mismatches += 1
    print(f"matmul {list(y_shape)}: {mismatches} mismatches, "
          f"max error {max_error:.3g}")
    return 1 if mismatches else 0


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("random")
    p.add_argument("out")
    p.add_argument("shape")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--mean", type=float, default=0.0)
    p.add_argument("--std", type=float, default=1.0)
    p.add_argument("--bf16", action="store_true")
    p = commands.add_parser("check")
    p.add_argument("op", choices=["rms", "layer"])
    p.add_argument("--x", required=True)
    p.add_argument("--scale")
    p.add_argument("--bias")
    p.add_argument("--eps", type=float, required=True)
    p.add_argument("--y", required=True)
    p.add_argument("--bf16", action="store_true")
    p = commands.add_parser("compare")
    p.add_argument("got")
    p.add_argument("want")
    p.add_argument("--rtol", type=float, required=True)
    p = commands.add_parser("matmul")
    p.add_argument("--a", required=True)
    p.add_argument("--b", required=True)
    p.add_argument("--y", required=True)
    p.add_argument("--transpose-b", action="store_true")
    args = parser.parse_args()
    if args.command == "random":
        return random_array(args)
    if args.command == "matmul":
        return matmul(args)
    return check(args) if args.command == "check" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
