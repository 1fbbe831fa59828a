#!/usr/bin/env python3
"""Generates the training modules of the small decoder-only language model.

The model (byte/char vocabulary V, width D, H heads, SwiGLU hidden F, L
pre-norm blocks like examples/transformer_block, sequences of S tokens,
batches of B sequences, T = B*S tokens per step):

    x0 = onehot(tokens) @ emb
    x_{l+1} = h + FFN(Norm2(h)),  h = x_l + Attn(Norm1(x_l))
    logits = NormF(x_L) @ head;   loss = mean cross-entropy of the next token

written in norm + linalg + tensor + arith + math, forward and backward.
The backward is written here by hand, layer by layer (reverse mode): a
matmul's is two matmuls with transposed operands, softmax's
p * (dp - rowsum(p * dp)), SwiGLU's from silu' = s(1 + g(1 - s)), the
embedding's a matmul with the transposed one-hot matrix. The norms'
backward is norm.layer_norm_grad / norm.rms_norm_grad.

Functions of one module (Norm is LayerNorm with scale and bias, or RMSNorm
with scale only, by --norm):

    @train_step(params..., adam_m..., adam_v..., tokens, schedule)
        -> (params..., adam_m..., adam_v..., loss, grad_norm, grad_stats)
      forward, backward, global-norm clipping, AdamW. `tokens` is
      [B, S+1] i32 (inputs are [:, :S], targets [:, 1:]); `schedule` is
      [lr, 1/(1-beta1^t), 1/(1-beta2^t)]; `grad_stats` is [P, 2]: per
      parameter tensor, the sum and the sum of squares of its gradient
      before clipping.
    @eval_loss(params..., tokens) -> loss
    @loss_and_grads(params..., tokens) -> (loss, grads...)   (--check)
    @norms(x, dy, norm params...) -> ...   every norm of the model, forward
      and backward, on [T, D] data: the step's time in the norms
    @matmuls(fill) -> ...   every matmul of @train_step on its shapes
    @transposes(...) -> ...   every linalg.transpose of @train_step

Each parameter argument carries `norm_train.param` (its name),
`norm_train.group` and `norm_train.init` ("normal" with `norm_train.std`,
"ones" or "zeros"), which norm-train reads.

Usage:
    generate.py                       rewrites the four committed modules
    generate.py --norm=rms [--check] [--perturb=NAME] [--norm-backward=linalg] -o FILE
        one module; --perturb scales NAME's gradient by 1.01 in
        @loss_and_grads (the test that the gradient check can fail);
        --norm-backward=linalg writes the norms' backward in linalg from the
        forward's statistics instead of the gradient ops (a cross-check: the
        gradient check passes with either)
"""

import argparse
import math
import os

# Training configuration (f32) and the gradient check's (f64, tiny).
CONFIGS = {
    "train": dict(vocab=64, dim=64, heads=4, hidden=128, layers=2, seq=64, batch=8, dtype="f32"),
    "check": dict(vocab=16, dim=8, heads=2, hidden=12, layers=2, seq=6, batch=2, dtype="f64"),
}

# AdamW and clipping, baked into @train_step.
BETA1, BETA2, ADAM_EPS, WEIGHT_DECAY, CLIP = 0.9, 0.95, 1e-8, 0.1, 1.0

NEG_INF = {"f32": "0xFF800000", "f64": "0xFFF0000000000000"}


def shape_str(shape):
    return "x".join(str(s) for s in shape)


class Emitter:
    def __init__(self, cfg, norm, perturb=None, norm_backward="ops"):
        self.V, self.D, self.H = cfg["vocab"], cfg["dim"], cfg["heads"]
        self.F, self.L, self.S, self.B = cfg["hidden"], cfg["layers"], cfg["seq"], cfg["batch"]
        self.T, self.Dh, self.ft = self.B * self.S, self.D // self.H, cfg["dtype"]
        self.norm_kind, self.perturb, self.norm_backward_kind = norm, perturb, norm_backward
        self.lines, self.counter, self.matmul_shapes, self.transpose_shapes = [], 0, [], []
        self.params = self.parameter_list()

    # --- parameters -------------------------------------------------------
    def parameter_list(self):
        """(name, shape, group, init, std) in argument order."""
        D, F, V, L = self.D, self.F, self.V, self.L
        residual_std = 1.0 / math.sqrt(2 * L)  # GPT-2: outputs into the residual stream
        ps = [("emb", (V, D), "embedding", "normal", 1.0)]

        def norm(prefix):
            ps.append((prefix + ".scale", (D,), "norms", "ones", 0.0))
            if self.norm_kind == "layer":
                ps.append((prefix + ".bias", (D,), "norms", "zeros", 0.0))

        for l in range(L):
            norm(f"l{l}.norm1")
            for w in ("wq", "wk", "wv"):
                ps.append((f"l{l}.{w}", (D, D), "attention", "normal", 1 / math.sqrt(D)))
            ps.append((f"l{l}.wo", (D, D), "attention", "normal", residual_std / math.sqrt(D)))
            norm(f"l{l}.norm2")
            ps.append((f"l{l}.w_gate", (D, F), "ffn", "normal", 1 / math.sqrt(D)))
            ps.append((f"l{l}.w_up", (D, F), "ffn", "normal", 1 / math.sqrt(D)))
            ps.append((f"l{l}.w_down", (F, D), "ffn", "normal", residual_std / math.sqrt(F)))
        norm("final_norm")
        ps.append(("head", (D, V), "head", "normal", 1 / math.sqrt(D)))
        return ps

    def arg(self, name):
        return "%p_" + name.replace(".", "_")

    # --- emission helpers -----------------------------------------------
    def t(self, *shape, ty=None):
        ty = ty or self.ft
        return f"tensor<{shape_str(shape)}x{ty}>" if shape else f"tensor<{ty}>"

    def fresh(self, name):
        self.counter += 1
        return f"%{name}{self.counter}"

    def emit(self, line):
        self.lines.append("  " + line)

    def empty(self, *shape):
        name = self.fresh("e")
        self.emit(f"{name} = tensor.empty() : {self.t(*shape)}")
        return name

    def fill(self, value, *shape):
        name = self.fresh("f")
        self.emit(f"{name} = linalg.fill ins({value} : {self.ft}) outs({self.empty(*shape)} : {self.t(*shape)}) "
                  f"-> {self.t(*shape)}")
        return name

    def generic(self, name, dims, ins, outs, body):
        """One linalg.generic. ins: (value, shape, indices, block arg[, elem type]);
        outs: (init, shape, indices, block arg); indices name the loop dims
        (a dim missing from the outputs is a reduction); body ends in a yield."""
        dl = ", ".join(dims)
        amap = lambda idx: f"affine_map<({dl}) -> ({idx})>"
        out_dims = set(d.strip() for o in outs for d in o[2].split(",") if d.strip())
        iters = ", ".join('"parallel"' if d in out_dims else '"reduction"' for d in dims)
        maps = ", ".join(amap(x[2]) for x in list(ins) + list(outs))
        in_types = [self.t(*x[1], ty=x[4] if len(x) > 4 else None) for x in ins]
        out_types = [self.t(*o[1]) for o in outs]
        result = self.fresh(name)
        head = result if len(outs) == 1 else f"{result}:{len(outs)}"
        self.emit(f"{head} = linalg.generic {{indexing_maps = [{maps}], iterator_types = [{iters}]}} "
                  f"ins({', '.join(x[0] for x in ins)} : {', '.join(in_types)}) "
                  f"outs({', '.join(o[0] for o in outs)} : {', '.join(out_types)}) {{")
        block_args = [f"{x[3]}: {x[4] if len(x) > 4 else self.ft}" for x in ins] + [f"{o[3]}: {self.ft}" for o in outs]
        self.emit(f"^bb0({', '.join(block_args)}):")
        for line in body:
            self.emit("  " + line)
        self.emit(f"}} -> {out_types[0] if len(outs) == 1 else '(' + ', '.join(out_types) + ')'}")
        if len(outs) == 1:
            return result
        return [f"{result}#{i}" for i in range(len(outs))]

    def matmul(self, a, b, m, k, n, acc=None, name="mm"):
        """a[m,k] @ b[k,n] (+ acc)."""
        self.matmul_shapes.append((None, m, k, n))
        out = self.fresh(name)
        init = acc or self.fill("%zero", m, n)
        self.emit(f"{out} = linalg.matmul ins({a}, {b} : {self.t(m, k)}, {self.t(k, n)}) "
                  f"outs({init} : {self.t(m, n)}) -> {self.t(m, n)}")
        return out

    def bmm(self, a, b, nb, m, k, n, name="bmm"):
        self.matmul_shapes.append((nb, m, k, n))
        out = self.fresh(name)
        self.emit(f"{out} = linalg.batch_matmul ins({a}, {b} : {self.t(nb, m, k)}, {self.t(nb, k, n)}) "
                  f"outs({self.fill('%zero', nb, m, n)} : {self.t(nb, m, n)}) -> {self.t(nb, m, n)}")
        return out

    def transpose(self, x, shape, perm, name="tr"):
        self.transpose_shapes.append((shape, perm))
        out_shape = [shape[p] for p in perm]
        out = self.fresh(name)
        self.emit(f"{out} = linalg.transpose ins({x} : {self.t(*shape)}) outs({self.empty(*out_shape)} : "
                  f"{self.t(*out_shape)}) permutation = [{', '.join(map(str, perm))}]")
        return out

    def tr(self, x, m, n):
        return self.transpose(x, (m, n), (1, 0))

    def add(self, a, b, *shape):
        out = self.fresh("add")
        self.emit(f"{out} = linalg.add ins({a}, {b} : {self.t(*shape)}, {self.t(*shape)}) "
                  f"outs({self.empty(*shape)} : {self.t(*shape)}) -> {self.t(*shape)}")
        return out

    def ewise2(self, name, a, b, body, *shape):
        """Elementwise f(a, b) on 2-D tensors; body uses %a, %b."""
        idx = "i, j"
        return self.generic(name, ["i", "j"], [(a, shape, idx, "%a"), (b, shape, idx, "%b")],
                            [(self.empty(*shape), shape, idx, "%o")], body)

    def row_reduce(self, name, x, shape, combine, init="%zero"):
        """[.., n] -> [..]: acc = combine(%v, %acc)."""
        dims = ["i", "j", "k"][: len(shape)]
        rows = ", ".join(dims[:-1])
        return self.generic(name, dims, [(x, shape, ", ".join(dims), "%v")],
                            [(self.fill(init, *shape[:-1]), shape[:-1], rows, "%acc")],
                            combine + ["linalg.yield %r : " + self.ft])

    # --- layers -----------------------------------------------------------
    def to_heads(self, x):
        """[T, D] -> [B*H, S, Dh]."""
        B, S, H, Dh = self.B, self.S, self.H, self.Dh
        split = self.fresh("split")
        self.emit(f"{split} = tensor.expand_shape {x} [[0, 1], [2, 3]] output_shape [{B}, {S}, {H}, {Dh}] "
                  f": {self.t(self.T, self.D)} into {self.t(B, S, H, Dh)}")
        moved = self.transpose(split, (B, S, H, Dh), (0, 2, 1, 3))
        out = self.fresh("heads")
        self.emit(f"{out} = tensor.collapse_shape {moved} [[0, 1], [2], [3]] : {self.t(B, H, S, Dh)} "
                  f"into {self.t(B * H, S, Dh)}")
        return out

    def from_heads(self, x):
        """[B*H, S, Dh] -> [T, D]."""
        B, S, H, Dh = self.B, self.S, self.H, self.Dh
        split = self.fresh("split")
        self.emit(f"{split} = tensor.expand_shape {x} [[0, 1], [2], [3]] output_shape [{B}, {H}, {S}, {Dh}] "
                  f": {self.t(B * H, S, Dh)} into {self.t(B, H, S, Dh)}")
        moved = self.transpose(split, (B, H, S, Dh), (0, 2, 1, 3))
        out = self.fresh("merged")
        self.emit(f"{out} = tensor.collapse_shape {moved} [[0, 1], [2, 3]] : {self.t(B, S, H, Dh)} "
                  f"into {self.t(self.T, self.D)}")
        return out

    def norm_params(self, prefix):
        names = [prefix + ".scale"] + ([prefix + ".bias"] if self.norm_kind == "layer" else [])
        return [self.arg(n) for n in names]

    def norm_forward(self, x, prefix):
        """Returns (y, saved): `saved` is what norm_backward needs."""
        T, D = self.T, self.D
        tx, tp, ts = self.t(T, D), self.t(D), self.t(T, 1)
        y = self.fresh("n")
        if self.norm_kind == "layer":
            g, b = self.norm_params(prefix)
            mean, rstd = self.fresh("mean"), self.fresh("rstd")
            self.emit(f"{y}, {mean}, {rstd} = norm.layer_norm {x} scale({g} : {tp}) bias({b} : {tp}) "
                      f": {tx} -> {tx}, {ts}, {ts}")
            return y, (x, prefix, mean, rstd)
        (g,) = self.norm_params(prefix)
        inv = self.fresh("inv_rms")
        self.emit(f"{y}, {inv} = norm.rms_norm {x} scale({g} : {tp}) : {tx} -> {tx}, {ts}")
        return y, (x, prefix, None, inv)

    def norm_backward(self, dy, saved):
        """Returns (dx, {param name: grad})."""
        T, D = self.T, self.D
        tx, tp, ts = self.t(T, D), self.t(D), self.t(T, 1)
        x, prefix = saved[0], saved[1]
        if self.norm_backward_kind == "linalg":
            return self.norm_backward_linalg(dy, saved)
        dx, dg = self.fresh("ndx"), self.fresh("ndg")
        if self.norm_kind == "layer":
            g, b = self.norm_params(prefix)
            db = self.fresh("ndb")
            self.emit(f"{dx}, {dg}, {db} = norm.layer_norm_grad {dy}, {x} scale({g} : {tp}) bias({b} : {tp}) "
                      f"statistics({saved[2]}, {saved[3]} : {ts}, {ts}) : {tx} -> {tx}, {tp}, {tp}")
            return dx, {prefix + ".scale": dg, prefix + ".bias": db}
        (g,) = self.norm_params(prefix)
        self.emit(f"{dx}, {dg} = norm.rms_norm_grad {dy}, {x} scale({g} : {tp}) statistics({saved[3]} : {ts}) "
                  f": {tx} -> {tx}, {tp}")
        return dx, {prefix + ".scale": dg}

    def collapse_rows(self, stat):
        """[T, 1] -> [T]."""
        out = self.fresh("stat")
        self.emit(f"{out} = tensor.collapse_shape {stat} [[0, 1]] : {self.t(self.T, 1)} into {self.t(self.T)}")
        return out

    def norm_backward_linalg(self, dy, saved):
        """The norms' backward written in linalg from the forward's statistics
        (a cross-check of the gradient ops):
        dx = rstd (dy g - mean(dy g) - xhat mean(dy g xhat)) (RMS: no mean(dy g)),
        dscale = sum_rows dy xhat, dbias = sum_rows dy."""
        T, D, ft = self.T, self.D, self.ft
        x, prefix, mean, rstd = saved
        params = self.norm_params(prefix)
        rstd = self.collapse_rows(rstd)
        idx = "t, d"
        if mean is not None:
            xhat = self.generic("xhat", ["t", "d"], [(x, (T, D), idx, "%x"), (self.collapse_rows(mean), (T,), "t", "%m"),
                                                    (rstd, (T,), "t", "%r")],
                                [(self.empty(T, D), (T, D), idx, "%o")],
                                [f"%c = arith.subf %x, %m : {ft}", f"%y = arith.mulf %c, %r : {ft}",
                                 f"linalg.yield %y : {ft}"])
        else:
            xhat = self.generic("xhat", ["t", "d"], [(x, (T, D), idx, "%x"), (rstd, (T,), "t", "%r")],
                                [(self.empty(T, D), (T, D), idx, "%o")],
                                [f"%y = arith.mulf %x, %r : {ft}", f"linalg.yield %y : {ft}"])
        ins = [(dy, (T, D), idx, "%dy"), (params[0], (D,), "d", "%g"), (xhat, (T, D), idx, "%xh")]
        s1, s2 = self.generic("nsums", ["t", "d"], ins,
                              [(self.fill("%zero", T), (T,), "t", "%a1"), (self.fill("%zero", T), (T,), "t", "%a2")],
                              [f"%dg = arith.mulf %dy, %g : {ft}", f"%p = arith.mulf %dg, %xh : {ft}",
                               f"%r1 = arith.addf %dg, %a1 : {ft}", f"%r2 = arith.addf %p, %a2 : {ft}",
                               f"linalg.yield %r1, %r2 : {ft}, {ft}"])
        centred = mean is not None
        dx = self.generic("ndx", ["t", "d"], ins + [(rstd, (T,), "t", "%r"), (s1, (T,), "t", "%s1"),
                                                     (s2, (T,), "t", "%s2")],
                          [(self.empty(T, D), (T, D), idx, "%o")],
                          [f"%dg = arith.mulf %dy, %g : {ft}", f"%m2 = arith.mulf %s2, %inv_dim : {ft}",
                           f"%p = arith.mulf %xh, %m2 : {ft}", f"%a = arith.subf %dg, %p : {ft}"]
                          + ([f"%m1 = arith.mulf %s1, %inv_dim : {ft}", f"%b = arith.subf %a, %m1 : {ft}"]
                             if centred else [f"%b = arith.addf %a, %zero : {ft}"])
                          + [f"%y = arith.mulf %b, %r : {ft}", f"linalg.yield %y : {ft}"])
        dg, db = self.generic("ndg", ["t", "d"], [(dy, (T, D), idx, "%dy"), (xhat, (T, D), idx, "%xh")],
                              [(self.fill("%zero", D), (D,), "d", "%a1"), (self.fill("%zero", D), (D,), "d", "%a2")],
                              [f"%p = arith.mulf %dy, %xh : {ft}", f"%r1 = arith.addf %p, %a1 : {ft}",
                               f"%r2 = arith.addf %dy, %a2 : {ft}", f"linalg.yield %r1, %r2 : {ft}, {ft}"])
        grads = {prefix + ".scale": dg}
        if centred:
            grads[prefix + ".bias"] = db
        return dx, grads

    def linear_backward(self, x, w, dy, m, k, n, dx_acc=None):
        """y[m,n] = x[m,k] @ w[k,n]: returns (dx = dy @ w^T (+ dx_acc), dw = x^T @ dy)."""
        dx = self.matmul(dy, self.tr(w, k, n), m, n, k, acc=dx_acc, name="dx")
        dw = self.matmul(self.tr(x, m, k), dy, k, m, n, name="dw")
        return dx, dw

    def attention_forward(self, a, l):
        T, D, S, N, Dh = self.T, self.D, self.S, self.B * self.H, self.Dh
        ft = self.ft
        q = self.matmul(a, self.arg(f"l{l}.wq"), T, D, D, name="q")
        k = self.matmul(a, self.arg(f"l{l}.wk"), T, D, D, name="k")
        v = self.matmul(a, self.arg(f"l{l}.wv"), T, D, D, name="v")
        qh, kh, vh = self.to_heads(q), self.to_heads(k), self.to_heads(v)
        scores = self.bmm(qh, self.transpose(kh, (N, S, Dh), (0, 2, 1)), N, S, Dh, S, name="scores")
        # Scale by 1/sqrt(Dh), mask future positions with -inf, softmax.
        id3 = "b, i, j"
        masked = self.generic("masked", ["b", "i", "j"], [(scores, (N, S, S), id3, "%s")],
                              [(self.empty(N, S, S), (N, S, S), id3, "%o")],
                              ["%i = linalg.index 1 : index", "%j = linalg.index 2 : index",
                               "%future = arith.cmpi ugt, %j, %i : index",
                               f"%sc = arith.mulf %s, %inv_sqrt_dh : {ft}",
                               f"%m = arith.select %future, %neg_inf, %sc : {ft}",
                               f"linalg.yield %m : {ft}"])
        rowmax = self.row_reduce("rowmax", masked, (N, S, S), [f"%r = arith.maximumf %v, %acc : {ft}"], "%neg_inf")
        exps = self.generic("exps", ["b", "i", "j"], [(masked, (N, S, S), id3, "%s"), (rowmax, (N, S), "b, i", "%m")],
                            [(self.empty(N, S, S), (N, S, S), id3, "%o")],
                            [f"%d = arith.subf %s, %m : {ft}", f"%e = math.exp %d : {ft}", f"linalg.yield %e : {ft}"])
        rowsum = self.row_reduce("rowsum", exps, (N, S, S), [f"%r = arith.addf %v, %acc : {ft}"])
        probs = self.generic("probs", ["b", "i", "j"], [(exps, (N, S, S), id3, "%e"), (rowsum, (N, S), "b, i", "%s")],
                             [(self.empty(N, S, S), (N, S, S), id3, "%o")],
                             [f"%p = arith.divf %e, %s : {ft}", f"linalg.yield %p : {ft}"])
        ctx = self.from_heads(self.bmm(probs, vh, N, S, S, Dh, name="ctx"))
        out = self.matmul(ctx, self.arg(f"l{l}.wo"), T, D, D, name="attn")
        return out, dict(a=a, qh=qh, kh=kh, vh=vh, probs=probs, ctx=ctx)

    def attention_backward(self, dout, c, l, grads):
        T, D, S, N, Dh = self.T, self.D, self.S, self.B * self.H, self.Dh
        ft = self.ft
        dctx, grads[f"l{l}.wo"] = self.linear_backward(c["ctx"], self.arg(f"l{l}.wo"), dout, T, D, D)
        dctxh = self.to_heads(dctx)
        dprobs = self.bmm(dctxh, self.transpose(c["vh"], (N, S, Dh), (0, 2, 1)), N, S, Dh, S, name="dprobs")
        dvh = self.bmm(self.transpose(c["probs"], (N, S, S), (0, 2, 1)), dctxh, N, S, S, Dh, name="dvh")
        id3 = "b, i, j"
        pdp = self.generic("pdp", ["b", "i", "j"], [(c["probs"], (N, S, S), id3, "%p"), (dprobs, (N, S, S), id3, "%d")],
                           [(self.fill("%zero", N, S), (N, S), "b, i", "%acc")],
                           [f"%pd = arith.mulf %p, %d : {ft}", f"%r = arith.addf %pd, %acc : {ft}",
                            f"linalg.yield %r : {ft}"])
        # Masked scores have p = 0, so their gradient is 0 with no mask here.
        dscores = self.generic("dscores", ["b", "i", "j"],
                               [(c["probs"], (N, S, S), id3, "%p"), (dprobs, (N, S, S), id3, "%d"),
                                (pdp, (N, S), "b, i", "%s")],
                               [(self.empty(N, S, S), (N, S, S), id3, "%o")],
                               [f"%c = arith.subf %d, %s : {ft}", f"%pc = arith.mulf %p, %c : {ft}",
                                f"%r = arith.mulf %pc, %inv_sqrt_dh : {ft}", f"linalg.yield %r : {ft}"])
        dqh = self.bmm(dscores, c["kh"], N, S, S, Dh, name="dqh")
        dkh = self.bmm(self.transpose(dscores, (N, S, S), (0, 2, 1)), c["qh"], N, S, S, Dh, name="dkh")
        da = None
        for w, dh in (("wq", dqh), ("wk", dkh), ("wv", dvh)):
            da, grads[f"l{l}.{w}"] = self.linear_backward(c["a"], self.arg(f"l{l}.{w}"), self.from_heads(dh),
                                                          T, D, D, dx_acc=da)
        return da

    def ffn_forward(self, n, l):
        T, D, F, ft = self.T, self.D, self.F, self.ft
        gate = self.matmul(n, self.arg(f"l{l}.w_gate"), T, D, F, name="gate")
        up = self.matmul(n, self.arg(f"l{l}.w_up"), T, D, F, name="up")
        act = self.ewise2("swiglu", gate, up, [f"%ng = arith.negf %a : {ft}", f"%e = math.exp %ng : {ft}",
                                               f"%d = arith.addf %e, %one : {ft}", f"%silu = arith.divf %a, %d : {ft}",
                                               f"%r = arith.mulf %silu, %b : {ft}", f"linalg.yield %r : {ft}"], T, F)
        out = self.matmul(act, self.arg(f"l{l}.w_down"), T, F, D, name="ffn")
        return out, dict(n=n, gate=gate, up=up, act=act)

    def ffn_backward(self, dout, c, l, grads):
        T, D, F, ft = self.T, self.D, self.F, self.ft
        dact, grads[f"l{l}.w_down"] = self.linear_backward(c["act"], self.arg(f"l{l}.w_down"), dout, T, F, D)
        sig = [f"%ng = arith.negf %g : {ft}", f"%e = math.exp %ng : {ft}", f"%d = arith.addf %e, %one : {ft}",
               f"%s = arith.divf %one, %d : {ft}"]
        idx = "i, j"
        ins = [(c["gate"], (T, F), idx, "%g"), (c["up"], (T, F), idx, "%u"), (dact, (T, F), idx, "%da")]
        # d gate = da * u * silu'(g), silu'(g) = s (1 + g (1 - s)); d up = da * silu(g).
        dgate = self.generic("dgate", ["i", "j"], ins, [(self.empty(T, F), (T, F), idx, "%o")],
                             sig + [f"%oms = arith.subf %one, %s : {ft}", f"%gt = arith.mulf %g, %oms : {ft}",
                                    f"%p1 = arith.addf %gt, %one : {ft}", f"%ds = arith.mulf %s, %p1 : {ft}",
                                    f"%du = arith.mulf %da, %u : {ft}", f"%r = arith.mulf %du, %ds : {ft}",
                                    f"linalg.yield %r : {ft}"])
        dup = self.generic("dup", ["i", "j"], ins, [(self.empty(T, F), (T, F), idx, "%o")],
                           sig + [f"%silu = arith.mulf %g, %s : {ft}", f"%r = arith.mulf %da, %silu : {ft}",
                                  f"linalg.yield %r : {ft}"])
        dn, grads[f"l{l}.w_gate"] = self.linear_backward(c["n"], self.arg(f"l{l}.w_gate"), dgate, T, D, F)
        dn, grads[f"l{l}.w_up"] = self.linear_backward(c["n"], self.arg(f"l{l}.w_up"), dup, T, D, F, dx_acc=dn)
        return dn

    def tokens(self):
        """Inputs and targets, [T] i32 each, from %tokens [B, S+1]."""
        B, S, T = self.B, self.S, self.T
        ti = self.t(B, S + 1, ty="i32")
        out = []
        for offset, name in ((0, "inputs"), (1, "targets")):
            sl, flat = self.fresh(name + "_2d"), self.fresh(name)
            self.emit(f"{sl} = tensor.extract_slice %tokens[0, {offset}] [{B}, {S}] [1, 1] : {ti} to "
                      f"{self.t(B, S, ty='i32')}")
            self.emit(f"{flat} = tensor.collapse_shape {sl} [[0, 1]] : {self.t(B, S, ty='i32')} into "
                      f"{self.t(T, ty='i32')}")
            out.append(flat)
        return out

    def onehot(self, tok, transposed):
        """[T, V] (or [V, T]) with 1 where the column (row) is the token."""
        T, V, ft = self.T, self.V, self.ft
        shape, idx, col = ((V, T), "v, t", 0) if transposed else ((T, V), "t, v", 1)
        return self.generic("onehot", ["t", "v"] if not transposed else ["v", "t"],
                            [(tok, (T,), "t", "%tok", "i32")],
                            [(self.empty(*shape), shape, idx, "%o")],
                            ["%ti = arith.index_cast %tok : i32 to index", f"%c = linalg.index {col} : index",
                             "%eq = arith.cmpi eq, %ti, %c : index", f"%r = arith.select %eq, %one, %zero : {ft}",
                             f"linalg.yield %r : {ft}"])

    def forward(self):
        """Emits the forward pass; returns (loss, cache for backward)."""
        T, D, V, ft = self.T, self.D, self.V, self.ft
        inputs, targets = self.tokens()
        x = self.matmul(self.onehot(inputs, False), self.arg("emb"), T, V, D, name="x")
        layers = []
        for l in range(self.L):
            a, s1 = self.norm_forward(x, f"l{l}.norm1")
            attn, ca = self.attention_forward(a, l)
            h = self.add(x, attn, T, D)
            n, s2 = self.norm_forward(h, f"l{l}.norm2")
            f, cf = self.ffn_forward(n, l)
            x = self.add(h, f, T, D)
            layers.append((s1, ca, s2, cf))
        nf, sf = self.norm_forward(x, "final_norm")
        logits = self.matmul(nf, self.arg("head"), T, D, V, name="logits")
        rowmax = self.row_reduce("lmax", logits, (T, V), [f"%r = arith.maximumf %v, %acc : {ft}"], "%neg_inf")
        sumexp = self.generic("sumexp", ["t", "v"], [(logits, (T, V), "t, v", "%l"), (rowmax, (T,), "t", "%m")],
                              [(self.fill("%zero", T), (T,), "t", "%acc")],
                              [f"%d = arith.subf %l, %m : {ft}", f"%e = math.exp %d : {ft}",
                               f"%r = arith.addf %e, %acc : {ft}", f"linalg.yield %r : {ft}"])
        lse = self.generic("lse", ["t"], [(sumexp, (T,), "t", "%s"), (rowmax, (T,), "t", "%m")],
                           [(self.empty(T), (T,), "t", "%o")],
                           [f"%lg = math.log %s : {ft}", f"%r = arith.addf %lg, %m : {ft}", f"linalg.yield %r : {ft}"])
        picked = self.generic("picked", ["t", "v"], [(logits, (T, V), "t, v", "%l"), (targets, (T,), "t", "%tok", "i32")],
                              [(self.fill("%zero", T), (T,), "t", "%acc")],
                              ["%ti = arith.index_cast %tok : i32 to index", "%c = linalg.index 1 : index",
                               "%eq = arith.cmpi eq, %ti, %c : index", f"%s = arith.select %eq, %l, %zero : {ft}",
                               f"%r = arith.addf %s, %acc : {ft}", f"linalg.yield %r : {ft}"])
        loss = self.generic("loss", ["t"], [(lse, (T,), "t", "%a"), (picked, (T,), "t", "%b")],
                            [(self.fill("%zero"), (), "", "%acc")],
                            [f"%d = arith.subf %a, %b : {ft}", f"%s = arith.mulf %d, %inv_tokens : {ft}",
                             f"%r = arith.addf %s, %acc : {ft}", f"linalg.yield %r : {ft}"])
        return loss, dict(inputs=inputs, targets=targets, layers=layers, nf=nf, sf=sf, logits=logits, lse=lse)

    def backward(self, c):
        """Returns {param name: grad}."""
        T, D, V, ft = self.T, self.D, self.V, self.ft
        grads = {}
        dlogits = self.generic("dlogits", ["t", "v"],
                               [(c["logits"], (T, V), "t, v", "%l"), (c["lse"], (T,), "t", "%m"),
                                (c["targets"], (T,), "t", "%tok", "i32")],
                               [(self.empty(T, V), (T, V), "t, v", "%o")],
                               [f"%d = arith.subf %l, %m : {ft}", f"%p = math.exp %d : {ft}",
                                "%ti = arith.index_cast %tok : i32 to index", "%c = linalg.index 1 : index",
                                "%eq = arith.cmpi eq, %ti, %c : index", f"%y = arith.select %eq, %one, %zero : {ft}",
                                f"%g = arith.subf %p, %y : {ft}", f"%r = arith.mulf %g, %inv_tokens : {ft}",
                                f"linalg.yield %r : {ft}"])
        dnf, grads["head"] = self.linear_backward(c["nf"], self.arg("head"), dlogits, T, D, V)
        dx, g = self.norm_backward(dnf, c["sf"])
        grads.update(g)
        for l in reversed(range(self.L)):
            s1, ca, s2, cf = c["layers"][l]
            dn = self.ffn_backward(dx, cf, l, grads)
            dh, g = self.norm_backward(dn, s2)
            grads.update(g)
            dh = self.add(dx, dh, T, D)
            da = self.attention_backward(dh, ca, l, grads)
            dxa, g = self.norm_backward(da, s1)
            grads.update(g)
            dx = self.add(dh, dxa, T, D)
        grads["emb"] = self.matmul(self.onehot(c["inputs"], True), dx, V, T, D, name="demb")
        return grads

    # --- functions --------------------------------------------------------
    def prologue(self):
        ft = self.ft
        self.lines, self.counter = [], 0
        self.emit(f"%zero = arith.constant 0.0 : {ft}")
        self.emit(f"%one = arith.constant 1.0 : {ft}")
        self.emit(f"%neg_inf = arith.constant {NEG_INF[ft]} : {ft}")
        self.emit(f"%inv_sqrt_dh = arith.constant {1.0 / math.sqrt(self.Dh)!r} : {ft}")
        self.emit(f"%inv_tokens = arith.constant {1.0 / self.T!r} : {ft}")
        self.emit(f"%inv_dim = arith.constant {1.0 / self.D!r} : {ft}")

    def param_args(self, prefix="%p_", role=None):
        args = []
        for name, shape, group, init, std in self.params:
            attrs = f'norm_train.param = "{name}", norm_train.group = "{group}", norm_train.init = "{init}"'
            if init == "normal":
                attrs += f", norm_train.std = {std!r} : f64"
            if role:
                attrs = f'norm_train.param = "{name}", norm_train.role = "{role}"'
            args.append(f"{prefix}{name.replace('.', '_')}: {self.t(*shape)} {{{attrs}}}")
        return args

    def tokens_arg(self):
        return f"%tokens: {self.t(self.B, self.S + 1, ty='i32')}"

    def function(self, name, args, results, comment):
        res_types = ", ".join(self.t(*s) for s, _ in results)
        res_vals = ", ".join(v for _, v in results)
        return (f"// {comment}\nfunc.func @{name}({', '.join(args)}) -> ({res_types}) {{\n"
                + "\n".join(self.lines) + f"\n  return {res_vals} : {res_types}\n}}\n")

    def eval_loss(self):
        self.prologue()
        loss, _ = self.forward()
        return self.function("eval_loss", self.param_args() + [self.tokens_arg()], [((), loss)],
                             "mean next-token cross-entropy")

    def loss_and_grads(self):
        self.prologue()
        loss, cache = self.forward()
        grads = self.backward(cache)
        if self.perturb:
            shape = next(p[1] for p in self.params if p[0] == self.perturb)
            g = grads[self.perturb]
            dims = ["i", "j"][: len(shape)]
            idx = ", ".join(dims)
            self.emit(f"%perturb = arith.constant 1.01 : {self.ft}")
            grads[self.perturb] = self.generic("perturbed", dims, [(g, shape, idx, "%g")],
                                               [(self.empty(*shape), shape, idx, "%o")],
                                               [f"%r = arith.mulf %g, %perturb : {self.ft}",
                                                f"linalg.yield %r : {self.ft}"])
        results = [((), loss)] + [(p[1], grads[p[0]]) for p in self.params]
        return self.function("loss_and_grads", self.param_args() + [self.tokens_arg()], results,
                             "loss and the gradient of every parameter (no update)")

    def train_step(self):
        ft = self.ft
        self.prologue()
        self.matmul_shapes, self.transpose_shapes = [], []
        loss, cache = self.forward()
        grads = self.backward(cache)
        self.step_matmuls, self.step_transposes = list(self.matmul_shapes), list(self.transpose_shapes)
        # Per-tensor sum and sum of squares of the gradient; the global norm.
        stats, total = [], "%zero"
        for name, shape, *_ in self.params:
            dims = ["i", "j"][: len(shape)]
            s, q = self.generic("gstat", dims, [(grads[name], shape, ", ".join(dims), "%g")],
                                [(self.fill("%zero"), (), "", "%s"), (self.fill("%zero"), (), "", "%q")],
                                [f"%s1 = arith.addf %g, %s : {ft}", f"%gg = arith.mulf %g, %g : {ft}",
                                 f"%q1 = arith.addf %gg, %q : {ft}", f"linalg.yield %s1, %q1 : {ft}, {ft}"])
            sv, qv = self.fresh("sum"), self.fresh("sumsq")
            self.emit(f"{sv} = tensor.extract {s}[] : {self.t()}")
            self.emit(f"{qv} = tensor.extract {q}[] : {self.t()}")
            stats += [sv, qv]
            acc = self.fresh("total")
            self.emit(f"{acc} = arith.addf {total}, {qv} : {ft}")
            total = acc
        P = len(self.params)
        self.emit(f"%grad_stats = tensor.from_elements {', '.join(stats)} : {self.t(P, 2)}")
        self.emit(f"%gnorm = math.sqrt {total} : {ft}")
        self.emit(f"%grad_norm = tensor.from_elements %gnorm : {self.t(1)}")
        self.emit(f"%loss_value = tensor.extract {loss}[] : {self.t()}")
        self.emit(f"%loss = tensor.from_elements %loss_value : {self.t(1)}")
        self.emit(f"%clip = arith.constant {CLIP!r} : {ft}")
        self.emit(f"%tiny = arith.constant 1.0e-6 : {ft}")
        self.emit(f"%gn_eps = arith.addf %gnorm, %tiny : {ft}")
        self.emit(f"%ratio = arith.divf %clip, %gn_eps : {ft}")
        self.emit(f"%clip_scale = arith.minimumf %ratio, %one : {ft}")
        c0, c1, c2 = "%c0", "%c1", "%c2"
        self.emit(f"{c0} = arith.constant 0 : index")
        self.emit(f"{c1} = arith.constant 1 : index")
        self.emit(f"{c2} = arith.constant 2 : index")
        self.emit(f"%lr = tensor.extract %schedule[{c0}] : {self.t(3)}")
        self.emit(f"%bc1 = tensor.extract %schedule[{c1}] : {self.t(3)}")
        self.emit(f"%bc2 = tensor.extract %schedule[{c2}] : {self.t(3)}")
        for n, v in (("b1", BETA1), ("b2", BETA2), ("omb1", 1 - BETA1), ("omb2", 1 - BETA2), ("adam_eps", ADAM_EPS)):
            self.emit(f"%{n} = arith.constant {v:.17e} : {ft}")
        self.emit(f"%decay = arith.constant {WEIGHT_DECAY:.17e} : {ft}")
        new_p, new_m, new_v = [], [], []
        for name, shape, group, *_ in self.params:
            dims = ["i", "j"][: len(shape)]
            idx = ", ".join(dims)
            arg = name.replace(".", "_")
            # Weight decay on matrices only (not on norms, and not on biases).
            decay = len(shape) == 2
            body = [f"%gc = arith.mulf %g, %clip_scale : {ft}",
                    f"%m0 = arith.mulf %m, %b1 : {ft}", f"%m1 = arith.mulf %gc, %omb1 : {ft}",
                    f"%mn = arith.addf %m0, %m1 : {ft}",
                    f"%v0 = arith.mulf %v, %b2 : {ft}", f"%gg = arith.mulf %gc, %gc : {ft}",
                    f"%v1 = arith.mulf %gg, %omb2 : {ft}", f"%vn = arith.addf %v0, %v1 : {ft}",
                    f"%mh = arith.mulf %mn, %bc1 : {ft}", f"%vh = arith.mulf %vn, %bc2 : {ft}",
                    f"%sq = math.sqrt %vh : {ft}", f"%den = arith.addf %sq, %adam_eps : {ft}",
                    f"%upd = arith.divf %mh, %den : {ft}"]
            if decay:
                body += [f"%wd = arith.mulf %p, %decay : {ft}", f"%u = arith.addf %upd, %wd : {ft}"]
            else:
                body += [f"%u = arith.addf %upd, %zero : {ft}"]
            body += [f"%step = arith.mulf %u, %lr : {ft}", f"%pn = arith.subf %p, %step : {ft}",
                     f"linalg.yield %pn, %mn, %vn : {ft}, {ft}, {ft}"]
            ins = [(f"%p_{arg}", shape, idx, "%p"), (grads[name], shape, idx, "%g"),
                   (f"%m_{arg}", shape, idx, "%m"), (f"%v_{arg}", shape, idx, "%v")]
            outs = [(self.empty(*shape), shape, idx, o) for o in ("%po", "%mo", "%vo")]
            p2, m2, v2 = self.generic("adamw", dims, ins, outs, body)
            new_p.append((shape, p2))
            new_m.append((shape, m2))
            new_v.append((shape, v2))
        args = (self.param_args() + self.param_args("%m_", "adam_m") + self.param_args("%v_", "adam_v")
                + [self.tokens_arg(), f"%schedule: {self.t(3)}"])
        results = new_p + new_m + new_v + [((1,), "%loss"), ((1,), "%grad_norm"), ((P, 2), "%grad_stats")]
        return self.function("train_step", args, results,
                             "one AdamW step with global-norm clipping; loss and gradient statistics")

    def norms(self):
        """Every norm of the model, forward and backward, on the step's shapes."""
        T, D = self.T, self.D
        self.prologue()
        prefixes = [f"l{l}.norm{i}" for l in range(self.L) for i in (1, 2)] + ["final_norm"]
        results = []
        for prefix in prefixes:
            y, saved = self.norm_forward("%nx", prefix)
            dx, g = self.norm_backward("%ndy", saved)
            results += [((T, D), y), ((T, D), dx)] + [((D,), g[k]) for k in sorted(g)]
        norm_params = [a for a in self.param_args() if "norm" in a.split(":")[0]]
        return self.function("norms", [f"%nx: {self.t(T, D)}", f"%ndy: {self.t(T, D)}"] + norm_params, results,
                             "the norms of @train_step alone (forward + backward), to time their share")

    def matmuls(self):
        """Every matmul of @train_step on its shapes, on filled inputs."""
        self.prologue()
        self.emit("%c0 = arith.constant 0 : index")
        self.emit(f"%fill_value = tensor.extract %fill[%c0] : {self.t(1)}")
        results = []
        shapes = self.step_matmuls
        self.matmul_shapes = []
        for i, (nb, m, k, n) in enumerate(shapes):
            # Distinct fill values: CSE would merge equal matmuls of equal fills.
            value = self.fresh("fill_value")
            self.emit(f"{value} = arith.addf %fill_value, {self.constant(i)}")
            a, b = ((m, k), (k, n)) if nb is None else ((nb, m, k), (nb, k, n))
            lhs, rhs = self.fill(value, *a), self.fill(value, *b)
            if nb is None:
                results.append(((m, n), self.matmul(lhs, rhs, m, k, n)))
            else:
                results.append(((nb, m, n), self.bmm(lhs, rhs, nb, m, k, n)))
        return self.function("matmuls", [f"%fill: {self.t(1)}"], results,
                             "the matmuls of @train_step alone, to time their share")

    def transposes(self):
        """Every linalg.transpose of @train_step (heads split and merged,
        operands of the backward's matmuls) on its shapes."""
        self.prologue()
        args, results = [], []
        for i, (shape, perm) in enumerate(self.step_transposes):
            args.append(f"%t{i}: {self.t(*shape)}")
            results.append(([shape[p] for p in perm], self.transpose(f"%t{i}", shape, perm)))
        return self.function("transposes", args, results,
                             "the transposes of @train_step alone, to time their share")

    def constant(self, value):
        name = self.fresh("cst")
        self.emit(f"{name} = arith.constant {float(value):.17e} : {self.ft}")
        return f"{name} : {self.ft}"

    def matmul_flops(self):
        return sum(2 * (nb or 1) * m * k * n for nb, m, k, n in self.step_matmuls)

    def module(self, config_name, check):
        parts = [self.eval_loss(), self.train_step()]
        parts += [self.loss_and_grads()] if check else [self.norms(), self.matmuls(), self.transposes()]
        header = (f"// Generated by examples/lm/generate.py: the '{config_name}' language model, {self.norm_kind} norm "
                  f"({self.ft}; vocab {self.V}, dim {self.D}, {self.H} heads, FFN hidden {self.F}, {self.L} layers, "
                  f"batch {self.B} x seq {self.S}). Do not edit.\n")
        attrs = (f'norm_train.norm = "{self.norm_kind}", norm_train.vocab = {self.V} : i64, '
                 f"norm_train.batch = {self.B} : i64, norm_train.seq = {self.S} : i64, "
                 f"norm_train.matmul_flops = {self.matmul_flops()} : i64, "
                 f"norm_train.beta1 = {BETA1!r} : f64, norm_train.beta2 = {BETA2!r} : f64, "
                 f"norm_train.adam_eps = {ADAM_EPS:.17e} : f64, norm_train.weight_decay = {WEIGHT_DECAY!r} : f64, "
                 f"norm_train.clip = {CLIP!r} : f64")
        return header + f"module attributes {{{attrs}}} {{\n\n" + "\n".join(parts) + "}\n"


def write(path, config_name, norm, check, perturb=None, norm_backward="ops"):
    text = Emitter(CONFIGS[config_name], norm, perturb, norm_backward).module(config_name, check)
    with open(path, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--norm", choices=["layer", "rms"])
    parser.add_argument("--check", action="store_true", help="the f64 gradient-check configuration")
    parser.add_argument("--perturb", help="scale this parameter's gradient by 1.01 (--check only)")
    parser.add_argument("--norm-backward", choices=["ops", "linalg"], default="ops",
                        help="the norms' backward: the gradient ops, or written in linalg (a cross-check)")
    parser.add_argument("-o", dest="output")
    args = parser.parse_args()
    if args.norm:
        if not args.output:
            parser.error("-o is required with --norm")
        if args.perturb and not args.check:
            parser.error("--perturb needs --check")
        config = "check" if args.check else "train"
        if args.perturb and args.perturb not in [p[0] for p in Emitter(CONFIGS[config], args.norm).params]:
            parser.error(f"no parameter named '{args.perturb}'")
        write(args.output, config, args.norm, args.check, args.perturb, args.norm_backward)
        return
    here = os.path.dirname(os.path.abspath(__file__))
    for norm in ("layer", "rms"):
        write(os.path.join(here, f"train-{norm}.mlir"), "train", norm, False)
        write(os.path.join(here, f"check-{norm}.mlir"), "check", norm, True)


if __name__ == "__main__":
    main()
