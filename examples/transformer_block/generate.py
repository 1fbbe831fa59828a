#!/usr/bin/env python3
"""Generates the transformer-block example modules from one template.

A LLaMA-style decoder block in MLIR (norm + linalg + tensor + arith + math):

    pre-norm  (@block):           h = x + Attn(Norm1(x));  y = h + FFN(Norm2(h))
    post-norm (@block_post_norm): h = Norm1(x + Attn(x));  y = Norm2(h + FFN(h))

Attn is multi-head causal self-attention (Q/K/V projections, scaled dot
product with a causal mask, numerically stable softmax, output projection);
FFN is SwiGLU: W_down(silu(x W_gate) * (x W_up)). The norms are
`norm.layer_norm` with gamma and beta; `norm-runner --norm=rms` (the
`norm-set-kind` pass) turns them into RMSNorm with gamma only. Every weight is
a function argument, in this order:

    x[S,D], norm1_gamma[D], norm1_beta[D], wq[D,D], wk[D,D], wv[D,D], wo[D,D],
    norm2_gamma[D], norm2_beta[D], w_gate[D,F], w_up[D,F], w_down[F,D]

with a `norm_runner.init` attribute saying how `norm-runner --random-inputs`
initializes it (see FAN_IN below).

Usage: generate.py            (rewrites tiny.mlir and 7b.mlir beside this file)
"""

import os

CONFIGS = {
    # A small educational LLM's block.
    "tiny": dict(seq=80, dim=128, hidden=256, heads=8),
    # One LLaMA-7B layer.
    "7b": dict(seq=128, dim=4096, hidden=11008, heads=32),
}


# How `norm-runner --random-inputs` initializes each weight, as a freshly
# initialized model would be: projections N(0, 1/fan_in) (fan_in = dim 0 of
# an [in, out] weight, so activations keep unit variance), norm scales 1,
# biases 0. The input x stays N(0, 1).
FAN_IN = '{norm_runner.init = "fan_in"}'
ONES = '{norm_runner.init = "ones"}'
ZEROS = '{norm_runner.init = "zeros"}'


def t(*shape):
    return "tensor<" + "x".join(str(s) for s in shape) + "xf32>"


class Emitter:
    def __init__(self, seq, dim, hidden, heads):
        self.S, self.D, self.F, self.H = seq, dim, hidden, heads
        self.Dh = dim // heads
        self.lines = []
        self.counter = 0

    def fresh(self, name):
        self.counter += 1
        return f"%{name}{self.counter}"

    def emit(self, line):
        self.lines.append("  " + line)

    def zeros(self, *shape):
        empty, fill = self.fresh("empty"), self.fresh("zeros")
        self.emit(f"{empty} = tensor.empty() : {t(*shape)}")
        self.emit(f"{fill} = linalg.fill ins(%zero : f32) outs({empty} : {t(*shape)}) -> {t(*shape)}")
        return fill

    def empty(self, *shape):
        name = self.fresh("empty")
        self.emit(f"{name} = tensor.empty() : {t(*shape)}")
        return name

    def matmul(self, a, b, m, k, n, name):
        out = self.fresh(name)
        self.emit(f"{out} = linalg.matmul ins({a}, {b} : {t(m, k)}, {t(k, n)}) "
                  f"outs({self.zeros(m, n)} : {t(m, n)}) -> {t(m, n)}")
        return out

    def add(self, a, b, name):
        out = self.fresh(name)
        self.emit(f"{out} = linalg.add ins({a}, {b} : {t(self.S, self.D)}, {t(self.S, self.D)}) "
                  f"outs({self.empty(self.S, self.D)} : {t(self.S, self.D)}) -> {t(self.S, self.D)}")
        return out

    def norm(self, x, gamma, beta, name):
        out = self.fresh(name)
        self.emit(f"{out} = norm.layer_norm {x} scale({gamma} : {t(self.D)}) bias({beta} : {t(self.D)}) "
                  f": {t(self.S, self.D)} -> {t(self.S, self.D)}")
        return out

    def heads(self, x, perm, shape, name):
        """[S, D] -> [S, H, Dh] -> transposed by `perm`."""
        S, H, Dh = self.S, self.H, self.Dh
        split = self.fresh(name + "_split")
        self.emit(f"{split} = tensor.expand_shape {x} [[0], [1, 2]] output_shape [{S}, {H}, {Dh}] "
                  f": {t(S, self.D)} into {t(S, H, Dh)}")
        out = self.fresh(name)
        self.emit(f"{out} = linalg.transpose ins({split} : {t(S, H, Dh)}) "
                  f"outs({self.empty(*shape)} : {t(*shape)}) permutation = {perm}")
        return out

    def attention(self, h):
        S, D, H, Dh = self.S, self.D, self.H, self.Dh
        q = self.heads(self.matmul(h, "%wq", S, D, D, "q"), "[1, 0, 2]", (H, S, Dh), "qh")
        k = self.heads(self.matmul(h, "%wk", S, D, D, "k"), "[1, 2, 0]", (H, Dh, S), "kh")
        v = self.heads(self.matmul(h, "%wv", S, D, D, "v"), "[1, 0, 2]", (H, S, Dh), "vh")
        scores = self.fresh("scores")
        self.emit(f"{scores} = linalg.batch_matmul ins({q}, {k} : {t(H, S, Dh)}, {t(H, Dh, S)}) "
                  f"outs({self.zeros(H, S, S)} : {t(H, S, S)}) -> {t(H, S, S)}")
        id3 = "affine_map<(h, i, j) -> (h, i, j)>"
        row3 = "affine_map<(h, i, j) -> (h, i)>"
        # Scale by 1/sqrt(Dh) and mask future positions with -inf.
        masked = self.fresh("masked")
        self.emit(f"{masked} = linalg.generic {{indexing_maps = [{id3}, {id3}], "
                  f"iterator_types = [\"parallel\", \"parallel\", \"parallel\"]}} "
                  f"ins({scores} : {t(H, S, S)}) outs({self.empty(H, S, S)} : {t(H, S, S)}) {{")
        self.emit("^bb0(%s: f32, %out: f32):")
        self.emit("  %i = linalg.index 1 : index")
        self.emit("  %j = linalg.index 2 : index")
        self.emit("  %future = arith.cmpi ugt, %j, %i : index")
        self.emit("  %scaled = arith.mulf %s, %inv_sqrt_dh : f32")
        self.emit("  %m = arith.select %future, %neg_inf, %scaled : f32")
        self.emit("  linalg.yield %m : f32")
        self.emit(f"}} -> {t(H, S, S)}")
        # Numerically stable softmax over the last dim.
        neg = self.fresh("neg_inf_init")
        self.emit(f"{neg} = linalg.fill ins(%neg_inf : f32) outs({self.empty(H, S)} : {t(H, S)}) -> {t(H, S)}")
        rowmax = self.fresh("rowmax")
        self.emit(f"{rowmax} = linalg.generic {{indexing_maps = [{id3}, {row3}], "
                  f"iterator_types = [\"parallel\", \"parallel\", \"reduction\"]}} "
                  f"ins({masked} : {t(H, S, S)}) outs({neg} : {t(H, S)}) {{")
        self.emit("^bb0(%s: f32, %acc: f32):")
        self.emit("  %m = arith.maximumf %s, %acc : f32")
        self.emit("  linalg.yield %m : f32")
        self.emit(f"}} -> {t(H, S)}")
        exps = self.fresh("exps")
        self.emit(f"{exps} = linalg.generic {{indexing_maps = [{id3}, {row3}, {id3}], "
                  f"iterator_types = [\"parallel\", \"parallel\", \"parallel\"]}} "
                  f"ins({masked}, {rowmax} : {t(H, S, S)}, {t(H, S)}) outs({self.empty(H, S, S)} : {t(H, S, S)}) {{")
        self.emit("^bb0(%s: f32, %m: f32, %out: f32):")
        self.emit("  %d = arith.subf %s, %m : f32")
        self.emit("  %e = math.exp %d : f32")
        self.emit("  linalg.yield %e : f32")
        self.emit(f"}} -> {t(H, S, S)}")
        rowsum = self.fresh("rowsum")
        self.emit(f"{rowsum} = linalg.generic {{indexing_maps = [{id3}, {row3}], "
                  f"iterator_types = [\"parallel\", \"parallel\", \"reduction\"]}} "
                  f"ins({exps} : {t(H, S, S)}) outs({self.zeros(H, S)} : {t(H, S)}) {{")
        self.emit("^bb0(%e: f32, %acc: f32):")
        self.emit("  %s = arith.addf %e, %acc : f32")
        self.emit("  linalg.yield %s : f32")
        self.emit(f"}} -> {t(H, S)}")
        probs = self.fresh("probs")
        self.emit(f"{probs} = linalg.generic {{indexing_maps = [{id3}, {row3}, {id3}], "
                  f"iterator_types = [\"parallel\", \"parallel\", \"parallel\"]}} "
                  f"ins({exps}, {rowsum} : {t(H, S, S)}, {t(H, S)}) outs({self.empty(H, S, S)} : {t(H, S, S)}) {{")
        self.emit("^bb0(%e: f32, %s: f32, %out: f32):")
        self.emit("  %p = arith.divf %e, %s : f32")
        self.emit("  linalg.yield %p : f32")
        self.emit(f"}} -> {t(H, S, S)}")
        context = self.fresh("context")
        self.emit(f"{context} = linalg.batch_matmul ins({probs}, {v} : {t(H, S, S)}, {t(H, S, Dh)}) "
                  f"outs({self.zeros(H, S, Dh)} : {t(H, S, Dh)}) -> {t(H, S, Dh)}")
        merged = self.fresh("merged")
        self.emit(f"{merged} = linalg.transpose ins({context} : {t(H, S, Dh)}) "
                  f"outs({self.empty(S, H, Dh)} : {t(S, H, Dh)}) permutation = [1, 0, 2]")
        flat = self.fresh("flat")
        self.emit(f"{flat} = tensor.collapse_shape {merged} [[0], [1, 2]] : {t(S, H, Dh)} into {t(S, D)}")
        return self.matmul(flat, "%wo", S, D, D, "attn")

    def ffn(self, h):
        S, D, F = self.S, self.D, self.F
        gate = self.matmul(h, "%w_gate", S, D, F, "gate")
        up = self.matmul(h, "%w_up", S, D, F, "up")
        id2 = "affine_map<(i, j) -> (i, j)>"
        act = self.fresh("swiglu")
        self.emit(f"{act} = linalg.generic {{indexing_maps = [{id2}, {id2}, {id2}], "
                  f"iterator_types = [\"parallel\", \"parallel\"]}} "
                  f"ins({gate}, {up} : {t(S, F)}, {t(S, F)}) outs({self.empty(S, F)} : {t(S, F)}) {{")
        self.emit("^bb0(%g: f32, %u: f32, %out: f32):")
        self.emit("  %ng = arith.negf %g : f32")
        self.emit("  %e = math.exp %ng : f32")
        self.emit("  %d = arith.addf %e, %one : f32")
        self.emit("  %silu = arith.divf %g, %d : f32")
        self.emit("  %r = arith.mulf %silu, %u : f32")
        self.emit("  linalg.yield %r : f32")
        self.emit(f"}} -> {t(S, F)}")
        return self.matmul(act, "%w_down", S, F, D, "ffn")

    def function(self, name, post_norm):
        S, D, F = self.S, self.D, self.F
        self.lines, self.counter = [], 0
        self.emit("%zero = arith.constant 0.0 : f32")
        self.emit("%one = arith.constant 1.0 : f32")
        self.emit("%neg_inf = arith.constant 0xFF800000 : f32")
        self.emit(f"%inv_sqrt_dh = arith.constant {1.0 / self.Dh ** 0.5!r} : f32")
        if post_norm:
            h = self.norm(self.add("%x", self.attention("%x"), "res"), "%norm1_gamma", "%norm1_beta", "h")
            y = self.norm(self.add(h, self.ffn(h), "res"), "%norm2_gamma", "%norm2_beta", "y")
        else:
            h = self.add("%x", self.attention(self.norm("%x", "%norm1_gamma", "%norm1_beta", "n")), "h")
            y = self.add(h, self.ffn(self.norm(h, "%norm2_gamma", "%norm2_beta", "n")), "y")
        self.emit(f"return {y} : {t(S, D)}")
        args = [f"%x: {t(S, D)}",
                f"%norm1_gamma: {t(D)} {ONES}", f"%norm1_beta: {t(D)} {ZEROS}",
                f"%wq: {t(D, D)} {FAN_IN}", f"%wk: {t(D, D)} {FAN_IN}",
                f"%wv: {t(D, D)} {FAN_IN}", f"%wo: {t(D, D)} {FAN_IN}",
                f"%norm2_gamma: {t(D)} {ONES}", f"%norm2_beta: {t(D)} {ZEROS}",
                f"%w_gate: {t(D, F)} {FAN_IN}", f"%w_up: {t(D, F)} {FAN_IN}",
                f"%w_down: {t(F, D)} {FAN_IN}"]
        kind = "post-norm" if post_norm else "pre-norm"
        return (f"// {kind} decoder block\n"
                f"func.func @{name}({', '.join(args)}) -> {t(S, D)} {{\n"
                + "\n".join(self.lines) + "\n}\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for config, params in CONFIGS.items():
        emitter = Emitter(**params)
        text = (f"// Generated by generate.py: the '{config}' transformer block "
                f"(seq {params['seq']}, dim {params['dim']}, FFN hidden {params['hidden']}, "
                f"{params['heads']} heads). Do not edit.\n\n"
                + emitter.function("block", post_norm=False) + "\n"
                + emitter.function("block_post_norm", post_norm=True))
        with open(os.path.join(here, f"{config}.mlir"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
