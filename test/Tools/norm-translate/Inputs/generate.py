#!/usr/bin/python3
"""Generates the .onnx models and .npy files of test/Tools/norm-translate.

Run from anywhere with Debian's packages (python3-onnx 1.12, python3-torch
1.13, python3-numpy):

    /usr/bin/python3 test/Tools/norm-translate/Inputs/generate.py

It rewrites every file next to it; seeds are fixed and sizes tiny, so the
files are a few KB and the output does not change between runs on one
machine. Expected outputs come from the framework that defines the model:
numpy in float64 (cast to the model's type) for the single-node models, and
PyTorch itself for the transformer blocks it exports.

- layer_norm.onnx: one LayerNormalization (opset 17) with Mean and
  InvStdDev outputs, scale and bias initializers.
- layer_norm_f16.onnx: f16 LayerNormalization over axis 1 with
  stash_type=1 and a dim_param "batch" (a dynamic dim).
- rms_norm.onnx: one RMSNormalization (opset 23). onnx 1.12 knows opsets up
  to 17, so the node is built by hand and the checker is not run on it.
- reduce_mean_opset18.onnx: ReduceMean with axes as an input (opset 18,
  built by hand; no checker).
- shape_ops.onnx (opset 13): a Shape/Gather/Unsqueeze/Concat shape
  computation feeding Reshape, Unsqueeze, Squeeze, Gemm with alpha, beta
  and C, ReduceSum with axes as an input.
- matmul_vectors.onnx: MatMul with 1-D operands.
- gelu_opset20.onnx: Gelu, exact and tanh (opset 20, built by hand; no
  checker; expected from PyTorch's gelu in float64).
- ops.onnx: an embedding (Gather), Linear on 2-D (Gemm), Sigmoid, Tanh,
  Greater/Where, Slice, Concat, Erf (GELU), Cast, exported by PyTorch.
- block_opset17.onnx / block_opset14.onnx: a pre-norm transformer block
  (LayerNorm, attention with softmax, residual, LayerNorm, GELU MLP,
  residual) exported by torch.onnx.export at opset 17, where
  LayerNormalization is one node, and at opset 14, where it is decomposed
  into ReduceMean/Sub/Pow/Add/Sqrt/Div. block_dynamic.onnx: the opset-17
  export with dynamic batch and sequence dims (an expected error).
  block.w<i>.npy: the opset-17 block's initializers, in order.
- unsupported_op.onnx: a HardSwish node, which the importer does not
  convert.
- malformed.onnx: layer_norm.onnx cut short.
"""

import io
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def save_model(model, name, check=True):
    if check:
        onnx.checker.check_model(model)
    onnx.save(model, path(name))


def layer_norm_reference(x, scale, bias, axis, epsilon):
    x = x.astype(np.float64)
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + epsilon)
    y = (x - mean) * inv_std * scale + bias
    return y, mean, inv_std


def generate_layer_norm(rng):
    x = rng.standard_normal((2, 3, 8)).astype(np.float32)
    scale = rng.standard_normal(8).astype(np.float32)
    bias = rng.standard_normal(8).astype(np.float32)
    node = helper.make_node("LayerNormalization", ["x", "scale", "bias"],
                            ["y", "mean", "inv_std"], name="ln", axis=-1,
                            epsilon=1e-5)
    graph = helper.make_graph(
        [node], "layer_norm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 8]),
         helper.make_tensor_value_info("mean", TensorProto.FLOAT, [2, 3, 1]),
         helper.make_tensor_value_info("inv_std", TensorProto.FLOAT,
                                       [2, 3, 1])],
        [numpy_helper.from_array(scale, "scale"),
         numpy_helper.from_array(bias, "bias")])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    save_model(model, "layer_norm.onnx")
    y, mean, inv_std = layer_norm_reference(x, scale, bias, -1, 1e-5)
    np.save(path("layer_norm.x.npy"), x)
    np.save(path("layer_norm.scale.npy"), scale)
    np.save(path("layer_norm.bias.npy"), bias)
    np.save(path("layer_norm.y.npy"), y.astype(np.float32))
    np.save(path("layer_norm.mean.npy"), mean.astype(np.float32))
    np.save(path("layer_norm.inv_std.npy"), inv_std.astype(np.float32))
    # Cut short: not a ModelProto any more.
    with open(path("layer_norm.onnx"), "rb") as f:
        data = f.read()
    with open(path("malformed.onnx"), "wb") as f:
        f.write(data[:len(data) // 2])


def generate_layer_norm_f16(rng):
    scale = rng.standard_normal((4, 6)).astype(np.float16)
    node = helper.make_node("LayerNormalization", ["x", "scale"], ["y"],
                            name="ln_f16", axis=1, epsilon=1e-3,
                            stash_type=1)
    graph = helper.make_graph(
        [node], "layer_norm_f16",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT16,
                                       ["batch", 4, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT16,
                                       ["batch", 4, 6])],
        [numpy_helper.from_array(scale, "scale")])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    save_model(model, "layer_norm_f16.onnx")
    x = rng.standard_normal((3, 4, 6)).astype(np.float16)
    y, _, _ = layer_norm_reference(x, scale.astype(np.float64), 0.0, 1, 1e-3)
    np.save(path("layer_norm_f16.x.npy"), x)
    np.save(path("layer_norm_f16.y.npy"), y.astype(np.float16))


def generate_rms_norm(rng):
    x = rng.standard_normal((4, 16)).astype(np.float32)
    scale = rng.standard_normal(16).astype(np.float32)
    # No epsilon: ONNX's default (1e-5) is not norm.rms_norm's (1e-6).
    node = helper.make_node("RMSNormalization", ["x", "scale"], ["y"],
                            name="rms", axis=-1)
    graph = helper.make_graph(
        [node], "rms_norm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 16])],
        [numpy_helper.from_array(scale, "scale")])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 23)])
    # onnx 1.12's checker does not know opset 23.
    save_model(model, "rms_norm.onnx", check=False)
    x64 = x.astype(np.float64)
    y = x64 / np.sqrt((x64 ** 2).mean(axis=-1, keepdims=True) + 1e-5) * scale
    np.save(path("rms_norm.x.npy"), x)
    np.save(path("rms_norm.y.npy"), y.astype(np.float32))


def generate_reduce_mean(rng):
    """ReduceMean at opset 18, where axes is an input (here an initializer);
    built by hand like rms_norm.onnx (onnx 1.12 knows opsets up to 17)."""
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    node = helper.make_node("ReduceMean", ["x", "axes"], ["y"], name="mean",
                            keepdims=1)
    graph = helper.make_graph(
        [node], "reduce_mean",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 1])],
        [numpy_helper.from_array(np.array([0, -1], np.int64), "axes")])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 18)])
    save_model(model, "reduce_mean_opset18.onnx", check=False)
    y = x.astype(np.float64).mean(axis=(0, 2), keepdims=True)
    np.save(path("reduce_mean.x.npy"), x)
    np.save(path("reduce_mean.y.npy"), y.astype(np.float32))


def generate_shape_ops(rng):
    """The shape computation an exporter emits for x.reshape(x.shape[0], -1)
    (Shape, Gather, Unsqueeze, Concat: folded at import), then Unsqueeze,
    Squeeze, Gemm with alpha/beta/C and ReduceSum with axes as an input
    (opset 13)."""
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    w = rng.standard_normal((12, 5)).astype(np.float32)
    c = rng.standard_normal(5).astype(np.float32)
    ints = lambda name, values: numpy_helper.from_array(
        np.array(values, np.int64), name)
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "zero"], ["batch"],
                         name="batch", axis=0),
        helper.make_node("Unsqueeze", ["batch", "zeros"], ["batch1"],
                         name="batch1"),
        helper.make_node("Concat", ["batch1", "minus_one"], ["target"],
                         name="target", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["flat"], name="flat"),
        helper.make_node("Unsqueeze", ["flat", "ones"], ["wide"],
                         name="wide"),
        helper.make_node("Squeeze", ["wide", "ones"], ["narrow"],
                         name="narrow"),
        helper.make_node("Gemm", ["narrow", "w", "c"], ["y"], name="gemm",
                         alpha=0.5, beta=2.0),
        helper.make_node("ReduceSum", ["y", "ones"], ["sum"], name="sum",
                         keepdims=0),
    ]
    graph = helper.make_graph(
        nodes, "shape_ops",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5]),
         helper.make_tensor_value_info("sum", TensorProto.FLOAT, [2])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(c, "c"),
         ints("zero", 0), ints("zeros", [0]), ints("ones", [1]),
         ints("minus_one", [-1])])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 13)])
    save_model(model, "shape_ops.onnx")
    y = 0.5 * (x.astype(np.float64).reshape(2, 12) @ w) + 2.0 * c
    np.save(path("shape_ops.x.npy"), x)
    np.save(path("shape_ops.y.npy"), y.astype(np.float32))
    np.save(path("shape_ops.sum.npy"), y.sum(axis=1).astype(np.float32))


def generate_matmul_vectors(rng):
    """MatMul with 1-D operands: a batch of matrices times a vector, a vector
    times a matrix, and a dot product."""
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    v = rng.standard_normal(4).astype(np.float32)
    m = rng.standard_normal((4, 5)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "v"], ["xv"], name="xv"),
             helper.make_node("MatMul", ["v", "m"], ["vm"], name="vm"),
             helper.make_node("MatMul", ["v", "v"], ["vv"], name="vv")]
    graph = helper.make_graph(
        nodes, "matmul_vectors",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4]),
         helper.make_tensor_value_info("v", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("xv", TensorProto.FLOAT, [2, 3]),
         helper.make_tensor_value_info("vm", TensorProto.FLOAT, [5]),
         helper.make_tensor_value_info("vv", TensorProto.FLOAT, [])],
        [numpy_helper.from_array(m, "m")])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    save_model(model, "matmul_vectors.onnx")
    x64, v64 = x.astype(np.float64), v.astype(np.float64)
    np.save(path("matmul_vectors.x.npy"), x)
    np.save(path("matmul_vectors.v.npy"), v)
    np.save(path("matmul_vectors.xv.npy"), (x64 @ v64).astype(np.float32))
    np.save(path("matmul_vectors.vm.npy"), (v64 @ m).astype(np.float32))
    np.save(path("matmul_vectors.vv.npy"), np.array(v64 @ v64, np.float32))


def generate_gelu(rng):
    """Gelu (opset 20, built by hand: no checker), exact and tanh."""
    x = rng.standard_normal((3, 7)).astype(np.float32)
    nodes = [helper.make_node("Gelu", ["x"], ["exact"], name="exact"),
             helper.make_node("Gelu", ["x"], ["tanh"], name="tanh",
                              approximate="tanh")]
    graph = helper.make_graph(
        nodes, "gelu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 7])],
        [helper.make_tensor_value_info("exact", TensorProto.FLOAT, [3, 7]),
         helper.make_tensor_value_info("tanh", TensorProto.FLOAT, [3, 7])])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 20)])
    save_model(model, "gelu_opset20.onnx", check=False)
    x64 = torch.from_numpy(x.astype(np.float64))
    gelu = torch.nn.functional.gelu
    np.save(path("gelu.x.npy"), x)
    np.save(path("gelu.exact.npy"), gelu(x64).numpy().astype(np.float32))
    np.save(path("gelu.tanh.npy"),
            gelu(x64, approximate="tanh").numpy().astype(np.float32))


def generate_unsupported(rng):
    node = helper.make_node("HardSwish", ["x"], ["y"], name="act")
    graph = helper.make_graph(
        [node], "unsupported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 17)])
    save_model(model, "unsupported_op.onnx")


def export(module, args, name, opset, input_names, output_names):
    module.eval()
    torch.onnx.export(module, args, path(name), opset_version=opset,
                      input_names=input_names, output_names=output_names,
                      do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path(name)))


class Ops(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(10, 8)
        self.linear = torch.nn.Linear(8, 8)

    def forward(self, tokens, x):
        h = self.linear(self.embedding(tokens))
        g = torch.sigmoid(h) * torch.tanh(x)
        m = torch.where(x > 0, g, torch.nn.functional.gelu(x))
        c = torch.cat([g[:, :3], m[:, 3:]], dim=1)
        return c.to(torch.float64)


def generate_ops():
    torch.manual_seed(1)
    module = Ops()
    tokens = torch.tensor([3, 1, 4, 1, 5, 9], dtype=torch.int64)
    x = torch.randn(6, 8)
    export(module, (tokens, x), "ops.onnx", 17, ["tokens", "x"], ["y"])
    with torch.no_grad():
        y = module(tokens, x)
    np.save(path("ops.tokens.npy"), tokens.numpy())
    np.save(path("ops.x.npy"), x.numpy())
    np.save(path("ops.y.npy"), y.numpy())


class Block(torch.nn.Module):
    """A pre-norm transformer block (GPT-2 style)."""

    def __init__(self, dim=16, heads=2):
        super().__init__()
        self.heads = heads
        self.ln1 = torch.nn.LayerNorm(dim)
        self.qkv = torch.nn.Linear(dim, 3 * dim)
        self.proj = torch.nn.Linear(dim, dim)
        self.ln2 = torch.nn.LayerNorm(dim)
        self.fc = torch.nn.Linear(dim, 4 * dim)
        self.out = torch.nn.Linear(4 * dim, dim)

    def attention(self, x):
        batch, seq, dim = x.shape
        q, k, v = self.qkv(x).split(dim, dim=2)
        shape = (batch, seq, self.heads, dim // self.heads)
        q, k, v = (t.reshape(shape).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / (dim // self.heads) ** 0.5
        y = torch.softmax(scores, dim=-1) @ v
        return self.proj(y.transpose(1, 2).reshape(batch, seq, dim))

    def forward(self, x):
        x = x + self.attention(self.ln1(x))
        return x + self.out(torch.nn.functional.gelu(self.fc(self.ln2(x))))


def generate_blocks():
    torch.manual_seed(0)
    block = Block()
    x = torch.randn(2, 5, 16)
    for opset in (17, 14):
        export(block, (x,), f"block_opset{opset}.onnx", opset, ["x"], ["y"])
    # Batch and sequence as dim_params: the exporter computes the attention's
    # shapes with Shape at run time, which the importer does not support.
    torch.onnx.export(block, (x,), path("block_dynamic.onnx"), opset_version=17,
                      input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch", 1: "seq"}})
    with torch.no_grad():
        y = block(x)
    np.save(path("block.x.npy"), x.numpy())
    # The opset-17 block's initializers, in order, for --onnx-weights-as-args.
    model = onnx.load(path("block_opset17.onnx"))
    for i, initializer in enumerate(model.graph.initializer):
        np.save(path(f"block.w{i}.npy"), numpy_helper.to_array(initializer))
    np.save(path("block.y.npy"), y.numpy())


def main():
    rng = np.random.default_rng(0)
    generate_layer_norm(rng)
    generate_layer_norm_f16(rng)
    generate_rms_norm(rng)
    generate_reduce_mean(rng)
    generate_unsupported(rng)
    generate_shape_ops(rng)
    generate_gelu(rng)
    generate_matmul_vectors(rng)
    generate_ops()
    generate_blocks()


if __name__ == "__main__":
    main()
