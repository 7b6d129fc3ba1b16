#!/usr/bin/python3
"""Train and export the example models shipped under models/.

Models (all trained on datasets bundled with scikit-learn, so no downloads):

  breast-cancer-mlp   load_breast_cancer, MLP 30 -> 64 -> 32 -> 2, standardization inside the graph
  digits-cnn          load_digits, small CNN with BatchNorm, input [batch, 1, 8, 8] raw 0..16 pixels
  digits-transformer  load_digits, 2-layer pre-norm transformer encoder over the 8 image rows

For every model NAME this writes:

  models/NAME/config.json                 Triton-style config
  models/NAME/1/model.onnx                single-file ONNX graph (legacy TorchScript exporter, opset 17)
  models/NAME/1/golden/input.json         KServe V2 request body with 4 held-out rows
  models/NAME/1/golden/output.json        expected KServe V2 response for input.json
  models/NAME/1/golden/labels.json        true labels and predicted classes of the 4 golden rows
  models/NAME/1/golden/test-split.json    whole held-out test split (raw inputs + labels)

and models/build/metrics.json with the measured accuracy, parameter counts and file sizes.

Usage (Debian packages python3-torch python3-sklearn python3-onnx):

  /usr/bin/python3 models/build/train.py [--skip-node-check]

If `node` and node_modules/onnxruntime-node are available, the exported graphs are run
through onnxruntime-node and compared against the golden outputs (max abs diff <= 1e-4).
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import OrderedDict

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(MODELS_DIR)

SEED = 0
OPSET = 17
MAX_BATCH_SIZE = 64


def set_seeds(seed=SEED):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup_determinism():
    # One thread keeps floating point reduction order independent of the machine's core count.
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    set_seeds()


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------


class Standardize(nn.Module):
    """(x - mean) / std with the training-set statistics stored as buffers (graph initializers)."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32))

    def forward(self, x):
        return (x - self.mean) / self.std


class Scale(nn.Module):
    """Multiplies by a constant (used to map raw 0..16 digit pixels to 0..1)."""

    def __init__(self, divisor):
        super().__init__()
        self.divisor = float(divisor)

    def forward(self, x):
        return x / self.divisor


class BreastCancerMLP(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.normalize = Standardize(mean, std)
        self.fc1 = nn.Linear(30, 64)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(64, 32)
        self.relu2 = nn.ReLU()
        self.head = nn.Linear(32, 2)

    def forward(self, x):
        x = self.normalize(x)
        x = self.relu1(self.fc1(x))
        x = self.relu2(self.fc2(x))
        logits = self.head(x)
        probabilities = torch.softmax(logits, dim=1)
        return logits, probabilities


def conv_block(cin, cout, pool=False):
    layers = [
        ("conv", nn.Conv2d(cin, cout, kernel_size=3, padding=1)),
        ("bn", nn.BatchNorm2d(cout)),
        ("relu", nn.ReLU()),
    ]
    if pool:
        layers.append(("pool", nn.MaxPool2d(2)))
    return nn.Sequential(OrderedDict(layers))


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.preprocess = Scale(16.0)
        self.block1 = conv_block(1, 16)
        self.block2 = conv_block(16, 32, pool=True)
        self.classifier = nn.Sequential(
            OrderedDict(
                [
                    ("flatten", nn.Flatten()),
                    ("fc1", nn.Linear(32 * 4 * 4, 64)),
                    ("relu", nn.ReLU()),
                ]
            )
        )
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        x = self.preprocess(x)
        x = self.block1(x)
        x = self.block2(x)
        x = self.classifier(x)
        return self.head(x)


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, d_model, num_heads, seq_len):
        super().__init__()
        assert d_model % num_heads == 0
        self.d_model = d_model
        self.num_heads = num_heads
        self.head_dim = d_model // num_heads
        self.seq_len = seq_len
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def _split(self, x):
        # [B, T, D] -> [B, H, T, Dh]; -1 keeps the batch dimension symbolic in the export.
        return x.reshape(-1, self.seq_len, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, x):
        q = self._split(self.q_proj(x))
        k = self._split(self.k_proj(x))
        v = self._split(self.v_proj(x))
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / float(self.head_dim) ** 0.5)
        attn = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(attn, v).transpose(1, 2).reshape(-1, self.seq_len, self.d_model)
        return self.out_proj(ctx)


class EncoderLayer(nn.Module):
    """Pre-norm transformer encoder layer written out explicitly (no fused fast path)."""

    def __init__(self, d_model, num_heads, d_ff, seq_len):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = MultiHeadSelfAttention(d_model, num_heads, seq_len)
        self.norm2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            OrderedDict(
                [
                    ("fc1", nn.Linear(d_model, d_ff)),
                    ("act", nn.GELU()),
                    ("fc2", nn.Linear(d_ff, d_model)),
                ]
            )
        )

    def forward(self, x):
        x = x + self.self_attn(self.norm1(x))
        x = x + self.mlp(self.norm2(x))
        return x


class Encoder(nn.Module):
    def __init__(self, num_layers, d_model, num_heads, d_ff, seq_len):
        super().__init__()
        self.layers = nn.ModuleList(
            [EncoderLayer(d_model, num_heads, d_ff, seq_len) for _ in range(num_layers)]
        )
        self.norm = nn.LayerNorm(d_model)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)


class DigitsTransformer(nn.Module):
    def __init__(self, seq_len=8, in_features=8, d_model=32, num_heads=4, d_ff=64, num_layers=2):
        super().__init__()
        self.preprocess = Scale(16.0)
        self.embed = nn.Linear(in_features, d_model)
        self.pos_embedding = nn.Parameter(torch.zeros(1, seq_len, d_model))
        nn.init.normal_(self.pos_embedding, std=0.02)
        self.encoder = Encoder(num_layers, d_model, num_heads, d_ff, seq_len)
        self.head = nn.Linear(d_model, 10)

    def forward(self, x):
        x = self.embed(self.preprocess(x)) + self.pos_embedding
        x = self.encoder(x)
        x = x.mean(dim=1)
        return self.head(x)


# --------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------


def first_output(out):
    return out[0] if isinstance(out, (tuple, list)) else out


def train_model(model, x_train, y_train, epochs, batch_size, lr, weight_decay=0.0, augment=None):
    g = torch.Generator().manual_seed(SEED)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps_per_epoch = (len(x_train) + batch_size - 1) // batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=lr, total_steps=epochs * steps_per_epoch, pct_start=0.2
    )
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(x_train), generator=g)
        for i in range(0, len(x_train), batch_size):
            idx = perm[i : i + batch_size]
            xb, yb = x_train[idx], y_train[idx]
            if augment is not None:
                xb = augment(xb, g)
            loss = F.cross_entropy(first_output(model(xb)), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    return model


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    pred = first_output(model(x)).argmax(dim=1)
    return float((pred == y).float().mean())


def shift_augment(view_shape):
    """Random +-1 pixel translation of 8x8 digit images (zero padded)."""

    def augment(xb, g):
        imgs = xb.reshape(-1, 8, 8)
        padded = F.pad(imgs, (1, 1, 1, 1))
        out = torch.empty_like(imgs)
        offs = torch.randint(0, 3, (imgs.shape[0], 2), generator=g)
        for n in range(imgs.shape[0]):
            dy, dx = int(offs[n, 0]), int(offs[n, 1])
            out[n] = padded[n, dy : dy + 8, dx : dx + 8]
        # keep half of the batch unaugmented
        keep = torch.rand(imgs.shape[0], generator=g) < 0.5
        out[keep] = imgs[keep]
        return out.reshape(view_shape)

    return augment


# --------------------------------------------------------------------------------------
# Export + golden files
# --------------------------------------------------------------------------------------


def f32_json(v):
    """Shortest decimal that round-trips to the same float32."""
    return float(np.format_float_positional(np.float32(v), unique=True, trim="-"))


def num_json(v):
    """Raw inputs: integers as integers, everything else as its shortest float64 repr
    (the sklearn datasets are short decimals, e.g. 0.07871)."""
    v = float(v)
    if v.is_integer():
        return int(v)
    return v


def write_json(path, obj, compact=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        if compact:
            json.dump(obj, f, separators=(",", ":"))
        else:
            json.dump(obj, f, indent=2)
        f.write("\n")


def export_onnx(model, sample, path, output_names, training_mode):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    dynamic_axes = {"input": {0: "batch"}}
    for name in output_names:
        dynamic_axes[name] = {0: "batch"}
    kwargs = dict(
        export_params=True,
        opset_version=OPSET,
        input_names=["input"],
        output_names=output_names,
        dynamic_axes=dynamic_axes,
        keep_initializers_as_inputs=False,
        training=training_mode,
        do_constant_folding=training_mode == torch.onnx.TrainingMode.EVAL,
    )
    # Newer torch releases default to the dynamo exporter; force the TorchScript one,
    # which keeps module paths in node names (e.g. /block1/conv/Conv).
    import inspect

    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, (sample,), path, **kwargs)

    m = onnx.load(path)
    onnx.checker.check_model(m)
    init_names = {i.name for i in m.graph.initializer}
    graph_inputs = [i.name for i in m.graph.input]
    assert graph_inputs == ["input"], graph_inputs
    assert not (init_names & set(graph_inputs))
    assert [o.name for o in m.graph.output] == output_names
    for init in m.graph.initializer:
        assert init.data_location != onnx.TensorProto.EXTERNAL, init.name
    # Batch dim must be symbolic
    for vi in list(m.graph.input) + list(m.graph.output):
        d0 = vi.type.tensor_type.shape.dim[0]
        assert d0.dim_param == "batch", (vi.name, d0)
    return m


def tensor_dims(vi):
    return [d.dim_value if d.dim_value else d.dim_param for d in vi.type.tensor_type.shape.dim]


def write_model_files(
    name,
    model,
    output_names,
    x_test_raw,
    y_test,
    golden_idx,
    training_mode=torch.onnx.TrainingMode.EVAL,
):
    """x_test_raw: numpy array of raw model inputs (the shape the model takes)."""
    model_dir = os.path.join(MODELS_DIR, name)
    version_dir = os.path.join(model_dir, "1")
    golden_dir = os.path.join(version_dir, "golden")
    if os.path.isdir(model_dir):
        shutil.rmtree(model_dir)
    os.makedirs(golden_dir)

    onnx_path = os.path.join(version_dir, "model.onnx")
    x_golden = torch.tensor(x_test_raw[golden_idx], dtype=torch.float32)
    m = export_onnx(model, x_golden, onnx_path, output_names, training_mode)

    # config.json
    in_dims = list(x_test_raw.shape[1:])
    with torch.no_grad():
        outs = model(x_golden)
    if not isinstance(outs, (tuple, list)):
        outs = (outs,)
    config = {
        "name": name,
        "platform": "onnxruntime_onnx",
        "max_batch_size": MAX_BATCH_SIZE,
        "input": [{"name": "input", "data_type": "TYPE_FP32", "dims": in_dims}],
        "output": [
            {"name": n, "data_type": "TYPE_FP32", "dims": list(o.shape[1:])}
            for n, o in zip(output_names, outs)
        ],
        "dynamic_batching": {"max_queue_delay_microseconds": 0},
        "instance_group": [{"count": 1, "kind": "KIND_CPU"}],
    }
    write_json(os.path.join(model_dir, "config.json"), config, compact=False)

    # golden request / response
    request = {
        "id": "golden",
        "inputs": [
            {
                "name": "input",
                "shape": list(x_golden.shape),
                "datatype": "FP32",
                "data": [num_json(v) for v in x_test_raw[golden_idx].reshape(-1)],
            }
        ],
    }
    response = {
        "model_name": name,
        "model_version": "1",
        "id": "golden",
        "outputs": [
            {
                "name": n,
                "datatype": "FP32",
                "shape": list(o.shape),
                "data": [f32_json(v) for v in o.numpy().reshape(-1)],
            }
            for n, o in zip(output_names, outs)
        ],
    }
    write_json(os.path.join(golden_dir, "input.json"), request)
    write_json(os.path.join(golden_dir, "output.json"), response)
    write_json(
        os.path.join(golden_dir, "labels.json"),
        {
            "labels": [int(v) for v in y_test[golden_idx]],
            "predicted": [int(v) for v in outs[0].argmax(dim=1)],
        },
    )
    write_json(
        os.path.join(golden_dir, "test-split.json"),
        {
            "shape": list(x_test_raw.shape),
            "data": [num_json(v) for v in x_test_raw.reshape(-1)],
            "labels": [int(v) for v in y_test],
        },
    )

    n_params = sum(p.numel() for p in model.parameters())
    n_buffers = sum(b.numel() for b in model.buffers())
    return {
        "onnx_path": os.path.relpath(onnx_path, REPO_ROOT),
        "file_size_bytes": os.path.getsize(onnx_path),
        "parameters": int(n_params),
        "buffer_elements": int(n_buffers),
        "node_count": len(m.graph.node),
        "node_names": [n.name for n in m.graph.node],
        "op_types": sorted({n.op_type for n in m.graph.node}),
        "inputs": {vi.name: tensor_dims(vi) for vi in m.graph.input},
        "outputs": {vi.name: tensor_dims(vi) for vi in m.graph.output},
        "golden_test_indices": [int(i) for i in golden_idx],
    }


# --------------------------------------------------------------------------------------
# The three models
# --------------------------------------------------------------------------------------


def build_breast_cancer():
    set_seeds()
    data = load_breast_cancer()
    x, y = data.data, data.target
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=0.25, random_state=SEED, stratify=y
    )
    mean = x_tr.mean(axis=0)
    std = x_tr.std(axis=0)
    model = BreastCancerMLP(mean, std)
    xt = torch.tensor(x_tr, dtype=torch.float32)
    yt = torch.tensor(y_tr, dtype=torch.long)
    train_model(model, xt, yt, epochs=60, batch_size=32, lr=3e-3, weight_decay=1e-2)
    train_acc = accuracy(model, xt, yt)
    test_acc = accuracy(model, torch.tensor(x_te, dtype=torch.float32), torch.tensor(y_te))
    # golden rows: first two test rows of each class (0 = malignant, 1 = benign)
    golden_idx = np.concatenate([np.where(y_te == 0)[0][:2], np.where(y_te == 1)[0][:2]])
    info = write_model_files(
        "breast-cancer-mlp", model, ["logits", "probabilities"], x_te, y_te, golden_idx
    )
    info.update(train_accuracy=train_acc, test_accuracy=test_acc, n_train=len(x_tr), n_test=len(x_te))
    return info


def digits_split():
    data = load_digits()
    x, y = data.data, data.target  # x: [n, 64] raw 0..16
    return train_test_split(x, y, test_size=0.25, random_state=SEED, stratify=y)


def build_digits_cnn():
    set_seeds()
    x_tr, x_te, y_tr, y_te = digits_split()
    x_tr = x_tr.reshape(-1, 1, 8, 8)
    x_te = x_te.reshape(-1, 1, 8, 8)
    model = DigitsCNN()
    xt = torch.tensor(x_tr, dtype=torch.float32)
    yt = torch.tensor(y_tr, dtype=torch.long)
    train_model(
        model, xt, yt, epochs=30, batch_size=64, lr=5e-3, weight_decay=1e-2,
        augment=shift_augment((-1, 1, 8, 8)),
    )
    train_acc = accuracy(model, xt, yt)
    test_acc = accuracy(model, torch.tensor(x_te, dtype=torch.float32), torch.tensor(y_te))
    golden_idx = np.arange(4)
    info = write_model_files(
        "digits-cnn", model, ["logits"], x_te, y_te, golden_idx,
        # PRESERVE (model is in eval mode) skips the eval-mode peephole pass that would fuse
        # BatchNormalization into the preceding Conv, so BN layers stay visible in the graph.
        training_mode=torch.onnx.TrainingMode.PRESERVE,
    )
    info.update(train_accuracy=train_acc, test_accuracy=test_acc, n_train=len(x_tr), n_test=len(x_te))
    return info


def build_digits_transformer():
    set_seeds()
    x_tr, x_te, y_tr, y_te = digits_split()
    x_tr = x_tr.reshape(-1, 8, 8)
    x_te = x_te.reshape(-1, 8, 8)
    model = DigitsTransformer()
    xt = torch.tensor(x_tr, dtype=torch.float32)
    yt = torch.tensor(y_tr, dtype=torch.long)
    train_model(
        model, xt, yt, epochs=60, batch_size=64, lr=3e-3, weight_decay=1e-2,
        augment=shift_augment((-1, 8, 8)),
    )
    train_acc = accuracy(model, xt, yt)
    test_acc = accuracy(model, torch.tensor(x_te, dtype=torch.float32), torch.tensor(y_te))
    golden_idx = np.arange(4)
    info = write_model_files("digits-transformer", model, ["logits"], x_te, y_te, golden_idx)
    info.update(train_accuracy=train_acc, test_accuracy=test_acc, n_train=len(x_tr), n_test=len(x_te))
    return info


# --------------------------------------------------------------------------------------
# Cross-check with onnxruntime-node
# --------------------------------------------------------------------------------------

NODE_CHECK = r"""
import { readFileSync } from 'node:fs';
const ort = await import('onnxruntime-node');
const names = JSON.parse(process.argv[1]);
const result = {};
for (const name of names) {
  const dir = `models/${name}/1`;
  const session = await ort.InferenceSession.create(`${dir}/model.onnx`);
  const req = JSON.parse(readFileSync(`${dir}/golden/input.json`, 'utf8'));
  const res = JSON.parse(readFileSync(`${dir}/golden/output.json`, 'utf8'));
  const inp = req.inputs[0];
  const feeds = { [inp.name]: new ort.Tensor('float32', Float32Array.from(inp.data), inp.shape) };
  const out = await session.run(feeds);
  let maxDiff = 0;
  for (const o of res.outputs) {
    const t = out[o.name];
    if (JSON.stringify(Array.from(t.dims)) !== JSON.stringify(o.shape)) throw new Error(`${name}/${o.name}: shape ${t.dims} != ${o.shape}`);
    for (let i = 0; i < o.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(t.data[i] - o.data[i]));
  }
  // whole test split accuracy through onnxruntime
  const split = JSON.parse(readFileSync(`${dir}/golden/test-split.json`, 'utf8'));
  const all = await session.run({ input: new ort.Tensor('float32', Float32Array.from(split.data), split.shape) });
  const logits = all[session.outputNames[0]];
  const k = logits.dims[1];
  let correct = 0;
  for (let r = 0; r < split.labels.length; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (logits.data[r * k + c] > logits.data[r * k + best]) best = c;
    if (best === split.labels[r]) correct++;
  }
  result[name] = { inputNames: session.inputNames, outputNames: session.outputNames, maxAbsDiff: maxDiff, testAccuracy: correct / split.labels.length };
}
console.log(JSON.stringify(result));
"""


def node_check(names):
    if shutil.which("node") is None or not os.path.isdir(
        os.path.join(REPO_ROOT, "node_modules", "onnxruntime-node")
    ):
        print("node / onnxruntime-node not available; skipping cross-check")
        return None
    proc = subprocess.run(
        ["node", "--input-type=module", "-e", NODE_CHECK, json.dumps(names)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, file=sys.stderr)
        raise SystemExit("onnxruntime-node cross-check failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-node-check", action="store_true")
    args = ap.parse_args()

    setup_determinism()
    print(f"torch {torch.__version__}, onnx {onnx.__version__}, opset {OPSET}")
    metrics = {"torch_version": torch.__version__, "onnx_version": onnx.__version__, "opset": OPSET, "models": {}}
    for name, fn in [
        ("breast-cancer-mlp", build_breast_cancer),
        ("digits-cnn", build_digits_cnn),
        ("digits-transformer", build_digits_transformer),
    ]:
        t0 = time.time()
        info = fn()
        info["train_seconds"] = round(time.time() - t0, 1)
        metrics["models"][name] = info
        print(
            f"{name}: test acc {info['test_accuracy']:.4f} (n={info['n_test']}), "
            f"train acc {info['train_accuracy']:.4f}, params {info['parameters']}, "
            f"{info['file_size_bytes']} bytes, {info['node_count']} nodes, {info['train_seconds']}s"
        )

    if not args.skip_node_check:
        check = node_check(list(metrics["models"]))
        if check is not None:
            for name, c in check.items():
                print(f"onnxruntime-node {name}: {c}")
                assert c["maxAbsDiff"] <= 1e-4, (name, c)
                metrics["models"][name]["onnxruntime_node"] = c

    for info in metrics["models"].values():
        info["train_accuracy"] = round(info["train_accuracy"], 4)
        info["test_accuracy"] = round(info["test_accuracy"], 4)
        del info["train_seconds"]  # machine dependent; keep metrics.json reproducible
    write_json(os.path.join(HERE, "metrics.json"), metrics, compact=False)


if __name__ == "__main__":
    main()
