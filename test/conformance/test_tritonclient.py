#!/usr/bin/env python3
"""Conformance of a running layerscope server with NVIDIA's own Python client, tritonclient.http.

Calls every tritonclient.http method whose endpoint the server advertises in `GET /v2`
`extensions` (and none of the others), checks the answers against the protocol reference
(shared/reference/v2-protocol.md §1-§4), and compares every inference result with onnxruntime run
directly on models/NAME/1/model.onnx.

    .venv/bin/python test/conformance/test_tritonclient.py --url 127.0.0.1:8000 --models models

The models directory only supplies model.onnx and the golden inputs; it may be the server's own
repository or the shipped one. Repository load/unload is exercised on one model (it is loaded back
at the end), so point the server at a repository no other test depends on.

Prints one line per check (PASS/FAIL/SKIP) and ends with exactly `N passed, M failed`; exits 1 if any
check failed. Standalone: no pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import os
import sys
import time
import traceback
from typing import Any, Callable

import numpy as np
import onnxruntime as ort
import tritonclient.http as httpclient
import tritonclient.http.aio as aiohttpclient
from tritonclient.utils import InferenceServerException

SHIPPED_MODELS = ["breast-cancer-mlp", "digits-cnn", "digits-transformer"]
VERSION = "1"
# The model whose repository state is flipped by unload/load (loaded back afterwards).
RELOAD_MODEL = "digits-transformer"
TOLERANCE = 1e-4  # relative, with the same absolute floor as test/helpers/golden.ts assertClose
STAT_KEYS = ("success", "fail", "queue", "compute_input", "compute_infer", "compute_output", "cache_hit", "cache_miss")


class Skip(Exception):
    """A check that does not apply to this server (its extension is not advertised)."""


class Runner:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures: list[str] = []

    def check(self, name: str, fn: Callable[[], Any]) -> None:
        started = time.monotonic()
        NOTES.clear()
        try:
            fn()
        except Skip as e:
            self.skipped += 1
            print(f"SKIP {name}: {e}", flush=True)
            return
        except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the run
            self.failed += 1
            detail = f"{type(e).__name__}: {e}"
            self.failures.append(f"{name}: {detail}")
            print(f"FAIL {name}: {detail}", flush=True)
            self.print_notes()
            if os.environ.get("CONFORMANCE_TRACEBACK"):
                traceback.print_exc()
            return
        self.passed += 1
        print(f"PASS {name} ({(time.monotonic() - started) * 1000:.0f} ms)", flush=True)
        self.print_notes()

    @staticmethod
    def print_notes() -> None:
        for note in NOTES:
            print(f"     {note}", flush=True)


# ---------------------------------------------------------------------------------------------
# helpers


def expect(cond: bool, message: str) -> None:
    if not cond:
        raise AssertionError(message)


def expect_close(actual: np.ndarray, expected: np.ndarray, label: str) -> None:
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    expect(actual.shape == expected.shape, f"{label}: shape {list(actual.shape)}, expected {list(expected.shape)}")
    expect(actual.dtype == np.float32, f"{label}: dtype {actual.dtype}, expected float32")
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    bound = TOLERANCE * (1.0 + np.abs(expected.astype(np.float64)))
    bad = np.argwhere(diff > bound)
    if bad.size:
        i = tuple(int(x) for x in bad[0])
        raise AssertionError(f"{label}{list(i)}: got {float(actual[i])!r}, expected {float(expected[i])!r} ({len(bad)} of {expected.size} elements differ)")


NOTES: list[str] = []  # printed under the current check's PASS/FAIL line


def expect_raises(fn: Callable[[], Any], *needles: str, status: str | None = None) -> InferenceServerException:
    """The call must raise InferenceServerException whose message contains every needle."""
    try:
        fn()
    except InferenceServerException as e:
        message = e.message() or str(e)
        NOTES.append(f"-> {e.status()} {message}")
        for needle in needles:
            expect(needle in message, f"error message does not mention {needle!r}: {message!r}")
        if status is not None:
            expect(e.status() == status, f"HTTP status {e.status()}, expected {status} ({message!r})")
        return e
    raise AssertionError("no InferenceServerException was raised")


class ResponseSpy:
    """Keeps the raw geventhttpclient response of the client's last POST, to look at its headers.

    tritonclient's InferResult does not expose response headers; `_post` is the one method every
    infer/async_infer goes through (pinned client version, see requirements.txt).
    """

    def __init__(self, client: httpclient.InferenceServerClient) -> None:
        self.last: Any = None
        original = client._post  # noqa: SLF001

        def spy(*args: Any, **kwargs: Any) -> Any:
            response = original(*args, **kwargs)
            self.last = response
            return response

        client._post = spy  # type: ignore[method-assign]  # noqa: SLF001

    def header(self, name: str) -> str | None:
        value = self.last.get(name) if self.last is not None else None
        return None if value is None else str(value)


class Model:
    """One shipped model: its golden input, and onnxruntime's outputs for it."""

    def __init__(self, models_dir: str, name: str) -> None:
        self.name = name
        version_dir = os.path.join(models_dir, name, VERSION)
        with open(os.path.join(version_dir, "golden", "input.json"), encoding="utf-8") as f:
            golden = json.load(f)
        with open(os.path.join(version_dir, "golden", "test-split.json"), encoding="utf-8") as f:
            split = json.load(f)
        tensor = golden["inputs"][0]
        self.input_name: str = tensor["name"]
        self.input = np.asarray(tensor["data"], dtype=np.float32).reshape(tensor["shape"])
        self.split = np.asarray(split["data"], dtype=np.float32).reshape(split["shape"])
        self.session = ort.InferenceSession(os.path.join(version_dir, "model.onnx"), providers=["CPUExecutionProvider"])
        self.onnx_inputs = self.session.get_inputs()
        self.output_names: list[str] = [o.name for o in self.session.get_outputs()]
        self.expected = self.reference(self.input)

    def reference(self, batch: np.ndarray) -> dict[str, np.ndarray]:
        values = self.session.run(None, {self.input_name: batch})
        return dict(zip(self.output_names, values))

    def make_input(self, batch: np.ndarray, binary: bool) -> httpclient.InferInput:
        tensor = httpclient.InferInput(self.input_name, list(batch.shape), "FP32")
        tensor.set_data_from_numpy(batch, binary_data=binary)
        return tensor


# ---------------------------------------------------------------------------------------------
# the checks


def run(url: str, models_dir: str) -> Runner:
    r = Runner()
    client = httpclient.InferenceServerClient(url, concurrency=4, connection_timeout=10.0, network_timeout=30.0)
    spy = ResponseSpy(client)
    models = {name: Model(models_dir, name) for name in SHIPPED_MODELS}
    try:  # one clear failure instead of one per check when nothing listens there
        client.get_server_metadata()
    except (OSError, InferenceServerException) as e:
        raise RuntimeError(f"the server at {url} does not answer GET /v2: {type(e).__name__}: {e}") from e
    extensions: list[str] = []

    def needs(extension: str) -> None:
        if extension not in extensions:
            raise Skip(f"'{extension}' is not in GET /v2 extensions")

    # -- health and server metadata (core protocol, always there) -----------------------------
    r.check("is_server_live", lambda: expect(client.is_server_live() is True, "is_server_live() returned False"))
    r.check("is_server_ready", lambda: expect(client.is_server_ready() is True, "is_server_ready() returned False"))

    def server_metadata() -> None:
        meta = client.get_server_metadata()
        expect(isinstance(meta.get("name"), str) and meta["name"], f"name: {meta.get('name')!r}")
        expect(isinstance(meta.get("version"), str) and meta["version"], f"version: {meta.get('version')!r}")
        ext = meta.get("extensions")
        expect(isinstance(ext, list) and all(isinstance(e, str) for e in ext), f"extensions must be a list of strings: {ext!r}")
        extensions.extend(ext)
        print(f"     server {meta['name']} {meta['version']}, extensions: {', '.join(ext)}", flush=True)

    r.check("get_server_metadata", server_metadata)
    r.check("query strings are ignored (is_server_live with query_params)", lambda: expect(client.is_server_live(query_params={"probe": "1"}), "live with ?probe=1 returned False"))

    # -- per-model metadata, readiness and config ------------------------------------------------
    for m in models.values():

        def ready(m: Model = m) -> None:
            expect(client.is_model_ready(m.name), "is_model_ready() returned False")
            expect(client.is_model_ready(m.name, VERSION), f"is_model_ready(version={VERSION}) returned False")
            expect(not client.is_model_ready(m.name, "999"), "is_model_ready(version=999) returned True")

        r.check(f"{m.name}: is_model_ready", ready)

        def metadata(m: Model = m) -> None:
            meta = client.get_model_metadata(m.name)
            expect(meta.get("name") == m.name, f"name: {meta.get('name')!r}")
            expect(VERSION in meta.get("versions", []), f"versions: {meta.get('versions')!r}")
            expect(all(isinstance(v, str) for v in meta.get("versions", [])), f"versions must be strings: {meta.get('versions')!r}")
            expect(isinstance(meta.get("platform"), str), f"platform: {meta.get('platform')!r}")
            inputs = meta.get("inputs", [])
            expect([t["name"] for t in inputs] == [i.name for i in m.onnx_inputs], f"inputs: {inputs!r}")
            for t, onnx_input in zip(inputs, m.onnx_inputs):
                expect(t["datatype"] == "FP32", f"input {t['name']} datatype {t['datatype']!r}")
                expect(t["shape"][0] == -1, f"input {t['name']} shape {t['shape']} lacks the -1 batch dim")
                expect(list(t["shape"][1:]) == list(onnx_input.shape[1:]), f"input {t['name']} shape {t['shape']} vs onnx {onnx_input.shape}")
            outputs = meta.get("outputs", [])
            expect([t["name"] for t in outputs] == m.output_names, f"outputs: {[t['name'] for t in outputs]} vs onnx {m.output_names}")
            for t in outputs:
                expect(t["datatype"] == "FP32" and t["shape"][0] == -1, f"output {t!r}")
            versioned = client.get_model_metadata(m.name, VERSION)
            expect(versioned.get("versions") == [VERSION], f"versioned metadata versions: {versioned.get('versions')!r}")

        r.check(f"{m.name}: get_model_metadata", metadata)

        def config(m: Model = m) -> None:
            needs("model_configuration")
            meta = client.get_model_metadata(m.name)
            for version in ("", VERSION):
                cfg = client.get_model_config(m.name, version)
                expect(cfg.get("name") == m.name, f"name: {cfg.get('name')!r}")
                mbs = cfg.get("max_batch_size")
                expect(isinstance(mbs, int) and mbs >= 1, f"max_batch_size: {mbs!r}")
                for kind, listed in (("input", meta["inputs"]), ("output", meta["outputs"])):
                    entries = cfg.get(kind)
                    expect(isinstance(entries, list), f"{kind}: {entries!r}")
                    expect([e.get("name") for e in entries] == [t["name"] for t in listed], f"{kind} names {[e.get('name') for e in entries]} differ from metadata")
                    for e, t in zip(entries, listed):
                        expect(e.get("data_type") == "TYPE_FP32", f"{kind} {e.get('name')} data_type {e.get('data_type')!r}")
                        dims = e.get("dims")
                        expect(isinstance(dims, list) and all(isinstance(d, int) for d in dims), f"{kind} {e.get('name')} dims must be JSON numbers: {dims!r}")
                        expect(dims == t["shape"][1:], f"{kind} {e.get('name')} dims {dims} vs metadata {t['shape']}")
                # perf_analyzer reads these with unchecked rapidjson accessors (reference §5).
                if "model_transaction_policy" in cfg:
                    expect(isinstance(cfg["model_transaction_policy"].get("decoupled"), bool), "model_transaction_policy.decoupled must be a bool")
                if "response_cache" in cfg:
                    expect(isinstance(cfg["response_cache"].get("enable"), bool), "response_cache.enable must be a bool")
                expect("sequence_batching" not in cfg and "ensemble_scheduling" not in cfg, "claims sequence_batching/ensemble_scheduling")

        r.check(f"{m.name}: get_model_config", config)

    # -- inference -------------------------------------------------------------------------------
    def infer_and_compare(m: Model, batch: np.ndarray, expected: dict[str, np.ndarray], *, binary_in: bool, binary_out: dict[str, bool] | None, **kwargs: Any) -> httpclient.InferResult:
        """binary_out None: no `outputs` in the request (all outputs, binary_data_output=true)."""
        outputs = None if binary_out is None else [httpclient.InferRequestedOutput(n, binary_data=b) for n, b in binary_out.items()]
        result = client.infer(m.name, [m.make_input(batch, binary_in)], outputs=outputs, **kwargs)
        response = result.get_response()
        expect(response.get("model_name") == m.name, f"model_name: {response.get('model_name')!r}")
        expect(response.get("model_version") == VERSION, f"model_version must be the string '1': {response.get('model_version')!r}")
        wanted = m.output_names if binary_out is None else list(binary_out)
        expect(sorted(o["name"] for o in response["outputs"]) == sorted(wanted), f"outputs {[o['name'] for o in response['outputs']]}, requested {wanted}")
        for name in wanted:
            out = result.get_output(name)
            as_binary = True if binary_out is None else binary_out[name]
            if as_binary:
                size = (out.get("parameters") or {}).get("binary_data_size")
                expect(isinstance(size, int), f"{name}: requested binary, got {out!r}"[:300])
            else:
                expect("data" in out, f"{name}: requested JSON, got no 'data': {out!r}"[:300])
                # The C++ client (perf_analyzer) rejects a JSON output that carries `parameters`.
                expect("parameters" not in out, f"{name}: a JSON output must not carry 'parameters': {out.get('parameters')!r}")
            expect(out.get("datatype") == "FP32", f"{name}: datatype {out.get('datatype')!r}")
            expect_close(result.as_numpy(name), expected[name], f"{m.name}.{name}")
        any_binary = any((result.get_output(n).get("parameters") or {}).get("binary_data_size") for n in wanted)
        if any_binary:
            expect(spy.header("Inference-Header-Content-Length") is not None, "binary outputs without an Inference-Header-Content-Length header")
        return result

    for m in models.values():
        first = m.output_names[0]

        def golden(m: Model = m) -> None:
            with open(os.path.join(models_dir, m.name, VERSION, "golden", "output.json"), encoding="utf-8") as f:
                out = json.load(f)
            for o in out["outputs"]:
                expect_close(m.expected[o["name"]], np.asarray(o["data"], dtype=np.float32).reshape(o["shape"]), f"onnxruntime {m.name}.{o['name']} vs golden")

        r.check(f"{m.name}: onnxruntime (python) reproduces the golden output", golden)

        r.check(
            f"{m.name}: infer binary inputs + binary outputs",
            lambda m=m: infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out={n: True for n in m.output_names}),
        )
        r.check(
            f"{m.name}: infer JSON inputs + JSON outputs (binary_data=False)",
            lambda m=m: infer_and_compare(m, m.input, m.expected, binary_in=False, binary_out={n: False for n in m.output_names}),
        )
        r.check(
            f"{m.name}: infer binary inputs + JSON outputs",
            lambda m=m: infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out={n: False for n in m.output_names}),
        )
        r.check(
            f"{m.name}: infer JSON inputs + binary outputs",
            lambda m=m: infer_and_compare(m, m.input, m.expected, binary_in=False, binary_out={n: True for n in m.output_names}),
        )
        r.check(
            f"{m.name}: infer without requested outputs (binary_data_output)",
            lambda m=m: infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out=None),
        )
        r.check(
            f"{m.name}: infer model_version='1'",
            lambda m=m: infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out={first: True}, model_version=VERSION),
        )

        def batch_sizes(m: Model = m) -> None:
            for size in (1, 64):
                batch = np.ascontiguousarray(m.split[:size])
                infer_and_compare(m, batch, m.reference(batch), binary_in=True, binary_out={first: True})

        r.check(f"{m.name}: infer batch 1 and batch 64 (max_batch_size) from the test split", batch_sizes)

        for algorithm in ("gzip", "deflate"):

            def request_compressed(m: Model = m, algorithm: str = algorithm) -> None:
                infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out={n: True for n in m.output_names}, request_compression_algorithm=algorithm)
                infer_and_compare(m, m.input, m.expected, binary_in=False, binary_out={n: False for n in m.output_names}, request_compression_algorithm=algorithm)

            r.check(f"{m.name}: infer request_compression_algorithm={algorithm!r}", request_compressed)

            def response_compressed(m: Model = m, algorithm: str = algorithm) -> None:
                infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out={n: True for n in m.output_names}, response_compression_algorithm=algorithm)
                expect(spy.header("Content-Encoding") == algorithm, f"Content-Encoding of the response: {spy.header('Content-Encoding')!r}")
                infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out={n: False for n in m.output_names}, response_compression_algorithm=algorithm)
                expect(spy.header("Content-Encoding") == algorithm, f"Content-Encoding of the JSON response: {spy.header('Content-Encoding')!r}")

            r.check(f"{m.name}: infer response_compression_algorithm={algorithm!r}", response_compressed)

        def both_compressed(m: Model = m) -> None:
            infer_and_compare(
                m, m.input, m.expected, binary_in=True, binary_out={n: True for n in m.output_names},
                request_compression_algorithm="deflate", response_compression_algorithm="gzip",
            )

        r.check(f"{m.name}: infer request deflate + response gzip", both_compressed)

        def request_id(m: Model = m) -> None:
            result = infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out={first: True}, request_id="conformance-sync-1")
            expect(result.get_response().get("id") == "conformance-sync-1", f"id: {result.get_response().get('id')!r}")
            result = infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out={first: True})
            expect("id" not in result.get_response(), f"an id was returned for a request without one: {result.get_response().get('id')!r}")

        r.check(f"{m.name}: infer request_id is echoed", request_id)

        def async_ids(m: Model = m) -> None:
            pending = []
            for i in range(8):
                rows = np.ascontiguousarray(m.split[i * 3 : i * 3 + 1 + i % 3])
                req = client.async_infer(
                    m.name, [m.make_input(rows, i % 2 == 0)], request_id=str(1000 + i),
                    outputs=[httpclient.InferRequestedOutput(first, binary_data=i % 3 != 0)],
                )
                pending.append((str(1000 + i), rows, req))
            for rid, rows, req in pending:
                result = req.get_result(timeout=30)
                expect(result.get_response().get("id") == rid, f"async id: sent {rid!r}, got {result.get_response().get('id')!r}")
                expect_close(result.as_numpy(first), m.reference(rows)[first], f"{m.name}.{first} (async id {rid})")

        r.check(f"{m.name}: async_infer x8 with request ids (ids echoed, results match)", async_ids)

        def custom_parameters(m: Model = m) -> None:
            needs("parameters")
            infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out={first: True}, parameters={"conformance": "yes", "attempt": 1, "flag": True})

        r.check(f"{m.name}: infer with custom request parameters", custom_parameters)

        def schedule_policy(m: Model = m) -> None:
            needs("schedule_policy")
            infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out={first: True}, priority=1, timeout=30_000_000)

        r.check(f"{m.name}: infer with priority and timeout (schedule_policy)", schedule_policy)

        def wrong_shape(m: Model = m) -> None:
            bad = np.zeros((1, *[d + 1 for d in m.input.shape[1:]]), dtype=np.float32)
            expect_raises(lambda: client.infer(m.name, [m.make_input(bad, True)]), f"'{m.input_name}'", m.name, status="400")

        r.check(f"{m.name}: wrong input shape raises InferenceServerException naming the input", wrong_shape)

    bc = models["breast-cancer-mlp"]

    def subset(which: str) -> Callable[[], None]:
        def check() -> None:
            result = infer_and_compare(bc, bc.input, bc.expected, binary_in=True, binary_out={which: True})
            other = next(n for n in bc.output_names if n != which)
            expect(result.as_numpy(other) is None, f"{other} was returned although only {which} was requested")
            result = infer_and_compare(bc, bc.input, bc.expected, binary_in=False, binary_out={which: False})
            expect(result.as_numpy(other) is None, f"{other} was returned although only {which} was requested (JSON)")

        return check

    r.check("breast-cancer-mlp: infer requesting only 'probabilities'", subset("probabilities"))
    r.check("breast-cancer-mlp: infer requesting only 'logits'", subset("logits"))
    r.check(
        "breast-cancer-mlp: infer mixed per-output binary_data (logits binary, probabilities JSON)",
        lambda: infer_and_compare(bc, bc.input, bc.expected, binary_in=True, binary_out={"logits": True, "probabilities": False}),
    )

    def classification() -> None:
        needs("classification")
        for binary in (True, False):
            out = [httpclient.InferRequestedOutput("probabilities", binary_data=binary, class_count=2)]
            result = client.infer(bc.name, [bc.make_input(bc.input, True)], outputs=out)
            meta = result.get_output("probabilities")
            expect(meta["datatype"] == "BYTES", f"classification datatype {meta['datatype']!r}")
            classes = result.as_numpy("probabilities")
            expect(classes.shape == (4, 2), f"classification shape {classes.shape}")
            probs = bc.expected["probabilities"]
            for row in range(4):
                order = np.argsort(-probs[row], kind="stable")
                for k in range(2):
                    item = classes[row][k]
                    text = item.decode() if isinstance(item, bytes) else str(item)
                    value, index = text.split(":")[:2]
                    expect(int(index) == order[k], f"row {row} top-{k + 1}: {text!r}, expected class {order[k]}")
                    expect(abs(float(value) - probs[row][order[k]]) <= TOLERANCE * (1 + probs[row][order[k]]), f"row {row} top-{k + 1}: {text!r} vs {probs[row][order[k]]}")

    r.check("breast-cancer-mlp: classification class_count=2", classification)

    # -- more negative cases -----------------------------------------------------------------------
    cnn = models["digits-cnn"]
    r.check(
        "unknown model raises InferenceServerException naming it",
        lambda: expect_raises(lambda: client.infer("no-such-model", [cnn.make_input(cnn.input, True)]), "no-such-model", status="404"),
    )
    r.check(
        "unknown requested output raises InferenceServerException naming it",
        lambda: expect_raises(lambda: client.infer(cnn.name, [cnn.make_input(cnn.input, True)], outputs=[httpclient.InferRequestedOutput("nope")]), "'nope'", status="400"),
    )

    def wrong_datatype() -> None:
        tensor = httpclient.InferInput(cnn.input_name, list(cnn.input.shape), "FP64")
        tensor.set_data_from_numpy(cnn.input.astype(np.float64))
        expect_raises(lambda: client.infer(cnn.name, [tensor]), f"'{cnn.input_name}'", "FP32", status="400")

    r.check("wrong input datatype (FP64) raises InferenceServerException naming the input", wrong_datatype)

    def too_large_batch() -> None:
        batch = np.ascontiguousarray(cnn.split[:65])
        expect_raises(lambda: client.infer(cnn.name, [cnn.make_input(batch, True)]), "64", status="400")

    r.check("batch 65 > max_batch_size 64 raises InferenceServerException", too_large_batch)
    r.check("get_model_metadata of an unknown model raises", lambda: expect_raises(lambda: client.get_model_metadata("no-such-model"), "no-such-model", status="404"))

    # -- the asyncio client (tritonclient.http.aio, aiohttp) -----------------------------------------
    def aio() -> None:
        async def go() -> None:
            async with aiohttpclient.InferenceServerClient(url) as c:
                expect(await c.is_server_ready(), "aio is_server_ready() returned False")
                for binary in (True, False):
                    tensor = aiohttpclient.InferInput(cnn.input_name, list(cnn.input.shape), "FP32")
                    tensor.set_data_from_numpy(cnn.input, binary_data=binary)
                    result = await c.infer(
                        cnn.name, [tensor], request_id="aio-1", outputs=[aiohttpclient.InferRequestedOutput("logits", binary_data=binary)],
                        response_compression_algorithm="gzip",
                    )
                    expect(result.get_response().get("id") == "aio-1", f"aio id: {result.get_response().get('id')!r}")
                    expect_close(result.as_numpy("logits"), cnn.expected["logits"], "aio digits-cnn.logits")

        asyncio.run(go())

    r.check("tritonclient.http.aio: is_server_ready + infer (binary and JSON, gzip response)", aio)

    # -- statistics ----------------------------------------------------------------------------------
    def stats_entry_ok(entry: dict[str, Any]) -> None:
        label = f"{entry.get('name')}/{entry.get('version')}"
        expect(isinstance(entry.get("name"), str), f"stats name: {entry.get('name')!r}")
        expect(isinstance(entry.get("version"), str) and entry["version"].isdigit(), f"{label}: version must be a numeric string: {entry.get('version')!r}")
        for key in ("last_inference", "inference_count", "execution_count"):
            expect(isinstance(entry.get(key), int) and entry[key] >= 0, f"{label}: {key} must be a uint: {entry.get(key)!r}")
        stats = entry.get("inference_stats") or {}
        for key in STAT_KEYS:
            d = stats.get(key)
            expect(isinstance(d, dict) and isinstance(d.get("count"), int) and isinstance(d.get("ns"), int), f"{label}: inference_stats.{key} must be {{count, ns}} uints: {d!r}")
        expect(isinstance(entry.get("batch_stats", []), list), f"{label}: batch_stats must be a list")

    def statistics_all() -> None:
        needs("statistics")
        stats = client.get_inference_statistics()
        entries = stats.get("model_stats")
        expect(isinstance(entries, list), f"model_stats: {entries!r}"[:200])
        names = {e.get("name") for e in entries}
        expect(set(SHIPPED_MODELS) <= names, f"model_stats names {sorted(names)} lack some of {SHIPPED_MODELS}")
        for entry in entries:
            stats_entry_ok(entry)

    r.check("get_inference_statistics() (all models)", statistics_all)

    def statistics_one() -> None:
        needs("statistics")
        for version in ("", VERSION):
            stats = client.get_inference_statistics(cnn.name, version)
            entries = stats.get("model_stats")
            expect(isinstance(entries, list) and len(entries) == 1, f"one entry expected for {cnn.name} (version {version!r}): {entries!r}"[:300])
            expect(entries[0].get("name") == cnn.name and entries[0].get("version") == VERSION, f"entry {entries[0].get('name')!r}/{entries[0].get('version')!r}")
            stats_entry_ok(entries[0])

    r.check("get_inference_statistics('digits-cnn') (one model, with and without version)", statistics_one)

    def statistics_count() -> None:
        needs("statistics")
        before = client.get_inference_statistics(cnn.name)["model_stats"][0]
        batch = np.ascontiguousarray(cnn.split[:5])
        client.infer(cnn.name, [cnn.make_input(batch, True)])
        client.infer(cnn.name, [cnn.make_input(batch[:1], True)])
        after = client.get_inference_statistics(cnn.name)["model_stats"][0]

        def grew(path: str) -> int:
            a: Any = after
            b: Any = before
            for part in path.split("."):
                a, b = a[part], b[part]
            return int(a) - int(b)

        expect(grew("inference_stats.success.count") == 2, f"success.count grew by {grew('inference_stats.success.count')}, expected 2")
        # perf_analyzer picks the model version whose queue.count grew (reference §5).
        expect(grew("inference_stats.queue.count") == 2, f"queue.count grew by {grew('inference_stats.queue.count')}, expected 2")
        expect(grew("inference_count") == 6, f"inference_count grew by {grew('inference_count')}, expected 6 (batch 5 + batch 1)")
        expect(1 <= grew("execution_count") <= 2, f"execution_count grew by {grew('execution_count')}, expected 1 or 2")
        expect(after["last_inference"] >= before["last_inference"] and after["last_inference"] > 0, f"last_inference {after['last_inference']}")

    r.check("get_inference_statistics counts two requests (success, queue, inference_count)", statistics_count)

    def statistics_unknown() -> None:
        needs("statistics")
        expect_raises(lambda: client.get_inference_statistics("no-such-model"), "no-such-model", status="400")

    r.check("get_inference_statistics of an unknown model raises", statistics_unknown)

    # -- model repository (last: it unloads and reloads a model) --------------------------------------
    def index_states() -> dict[str, str | None]:
        index = client.get_model_repository_index()
        expect(isinstance(index, list), f"repository index must be a JSON array: {index!r}"[:200])
        for entry in index:
            expect(isinstance(entry.get("name"), str), f"index entry without a name: {entry!r}")
            if "version" in entry:
                expect(isinstance(entry["version"], str), f"index version must be a string: {entry!r}")
        return {e["name"]: e.get("state") for e in index}

    def repository_index() -> None:
        needs("model_repository")
        states = index_states()
        for name in SHIPPED_MODELS:
            expect(states.get(name) == "READY", f"{name} state {states.get(name)!r} in the index, expected READY")

    r.check("get_model_repository_index", repository_index)

    def unload_load() -> None:
        needs("model_repository")
        m = models[RELOAD_MODEL]
        client.unload_model(m.name)
        deadline = time.monotonic() + 10
        while client.is_model_ready(m.name) and time.monotonic() < deadline:
            time.sleep(0.05)
        expect(not client.is_model_ready(m.name), "is_model_ready() still True after unload_model")
        state = index_states().get(m.name)
        expect(state != "READY", f"index state {state!r} after unload_model")
        expect_raises(lambda: client.infer(m.name, [m.make_input(m.input, True)]), m.name)
        expect(client.is_model_ready("digits-cnn"), "unloading one model made another unready")
        client.load_model(m.name)
        expect(client.is_model_ready(m.name), "is_model_ready() False after load_model returned")
        expect(index_states().get(m.name) == "READY", "index state not READY after load_model")
        infer_and_compare(m, m.input, m.expected, binary_in=True, binary_out={n: True for n in m.output_names})
        client.load_model(m.name)  # reloading a loaded model is allowed
        expect(client.is_model_ready(m.name), "is_model_ready() False after a second load_model")

    r.check(f"unload_model + load_model ({RELOAD_MODEL}: readiness flips, infer fails, then works again)", unload_load)

    def load_unknown() -> None:
        needs("model_repository")
        expect_raises(lambda: client.load_model("no-such-model"), "no-such-model")

    r.check("load_model of a model not in the repository raises", load_unknown)

    # -- extensions whose methods exist in tritonclient, called only when advertised ------------------
    def logging_settings() -> None:
        needs("logging")
        settings = client.get_log_settings()
        for key in ("log_info", "log_warning", "log_error"):
            expect(isinstance(settings.get(key), bool), f"{key}: {settings.get(key)!r}")
        expect(isinstance(settings.get("log_verbose_level"), int), f"log_verbose_level: {settings.get('log_verbose_level')!r}")
        updated = client.update_log_settings({"log_verbose_level": settings["log_verbose_level"]})
        expect(updated.get("log_verbose_level") == settings["log_verbose_level"], f"update_log_settings answered {updated!r}")

    r.check("get_log_settings + update_log_settings", logging_settings)

    def trace_settings() -> None:
        needs("trace")
        settings = client.get_trace_settings()
        expect(isinstance(settings.get("trace_level"), list), f"trace_level must be a list: {settings.get('trace_level')!r}")
        model_settings = client.get_trace_settings(model_name=cnn.name)
        expect(isinstance(model_settings.get("trace_level"), list), f"model trace_level: {model_settings.get('trace_level')!r}")
        updated = client.update_trace_settings(settings={"trace_rate": settings.get("trace_rate", "1000")})
        expect(isinstance(updated, dict), f"update_trace_settings answered {updated!r}")

    r.check("get_trace_settings + update_trace_settings", trace_settings)

    def shared_memory() -> None:
        if "system_shared_memory" not in extensions and "cuda_shared_memory" not in extensions:
            raise Skip("neither 'system_shared_memory' nor 'cuda_shared_memory' is in GET /v2 extensions")
        if "system_shared_memory" in extensions:
            client.get_system_shared_memory_status()
        if "cuda_shared_memory" in extensions:
            client.get_cuda_shared_memory_status()

    r.check("shared-memory status", shared_memory)

    client.close()
    return r


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="host:port of the server, no scheme (tritonclient refuses one)")
    parser.add_argument("--models", default=os.path.join(os.path.dirname(__file__), "..", "..", "models"), help="models directory (model.onnx and golden files)")
    args = parser.parse_args()
    started = time.monotonic()
    print(f"tritonclient {importlib.metadata.version('tritonclient')}, onnxruntime {ort.__version__}, numpy {np.__version__}; server {args.url}", flush=True)
    try:
        r = run(args.url, args.models)
    except Exception as e:  # noqa: BLE001 - setup itself failed (server down, models missing)
        if os.environ.get("CONFORMANCE_TRACEBACK"):
            traceback.print_exc()
        print(f"FAIL setup: {type(e).__name__}: {e}")
        print("0 passed, 1 failed")
        return 1
    if r.failures:
        print(f"{len(r.failures)} failure(s):")
        for f in r.failures:
            print(f"  - {f}")
    print(f"{r.skipped} skipped (extension not advertised); {time.monotonic() - started:.1f} s")
    print(f"{r.passed} passed, {r.failed} failed")
    return 0 if r.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
