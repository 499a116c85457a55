"""Reading checkpoints without PyTorch, refusing pickles that would run code, and the download cache.

The ``.pth`` files here are written by :func:`torch_style_checkpoint`, a stand-in for ``torch.save`` that
writes the same zip layout (``data.pkl`` naming ``torch._utils._rebuild_tensor_v2`` and ``torch.*Storage``
globals, raw storages under ``data/``) from fake ``torch`` modules. It proves the reader follows that layout
and refuses what it must; it does not prove that every real ``torch.save`` output is read — the parity tests
that save real torchvision models do that. The download tests use an HTTP server on 127.0.0.1 that the test
starts and stops.
"""

from __future__ import annotations

import collections
import hashlib
import http.server
import io
import pickle
import sys
import threading
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mobilecnn.weights import CheckpointError, WeightsDownloadError, fetch, read_checkpoint, read_torch
from mobilecnn.weights import download as dl
from mobilecnn.weights.layout import conv_kernel, dense_kernel, depthwise_kernel

DTYPES = {np.dtype("float32"): "FloatStorage", np.dtype("float16"): "HalfStorage",
          np.dtype("int64"): "LongStorage", np.dtype("float64"): "DoubleStorage"}


def torch_style_checkpoint(path: Path, tensors: dict[str, np.ndarray], views: dict | None = None) -> None:
    """Write ``tensors`` as ``torch.save(state_dict)`` lays them out (see the module docstring).

    ``views`` maps a name to (storage name, offset, shape, stride): a tensor that is a strided view into
    another tensor's storage, as a transposed or sliced tensor is.
    """
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):  # never called: only its name is pickled
        raise AssertionError

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    for name in DTYPES.values():
        cls = type(name, (), {"__module__": "torch", "__qualname__": name})
        setattr(torch, name, cls)
    torch._utils = utils

    class Storage:
        def __init__(self, key, array):
            self.key, self.array = key, array

    class Tensor:
        def __init__(self, storage, offset, shape, stride):
            self.args = (storage, offset, shape, stride, False, collections.OrderedDict())

        def __reduce__(self):
            return _rebuild_tensor_v2, self.args

    storages = {name: Storage(str(i), np.array(a, order="C").ravel()) for i, (name, a) in enumerate(tensors.items())}
    state = collections.OrderedDict()
    for name, a in tensors.items():
        a = np.array(a, order="C")  # (ascontiguousarray would make a 0-d tensor 1-d)
        state[name] = Tensor(storages[name], 0, a.shape, tuple(s // a.itemsize for s in a.strides))
    for name, (base, offset, shape, stride) in (views or {}).items():
        state[name] = Tensor(storages[base], offset, shape, stride)

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                return ("storage", getattr(torch, DTYPES[obj.array.dtype]), obj.key, "cpu", obj.array.size)
            return None

    saved = {k: sys.modules.get(k) for k in ("torch", "torch._utils")}
    sys.modules.update({"torch": torch, "torch._utils": utils})
    try:
        buffer = io.BytesIO()
        Pickler(buffer, protocol=2).dump(state)
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", buffer.getvalue())
        z.writestr("archive/byteorder", "little")
        for s in storages.values():
            z.writestr(f"archive/data/{s.key}", s.array.astype(s.array.dtype.newbyteorder("<")).tobytes())
        z.writestr("archive/version", "3\n")


def test_reads_tensors_of_every_dtype_and_strided_views(tmp_path):
    rng = np.random.default_rng(0)
    tensors = {"conv.weight": rng.normal(size=(8, 3, 3, 3)).astype("float32"),
               "bn.num_batches_tracked": np.array(7, dtype="int64"),
               "half": rng.normal(size=(5,)).astype("float16"),
               "double": rng.normal(size=(2, 3)).astype("float64")}
    # a transposed view of "double" (shape (3, 2), stride (1, 3)) and a slice with an offset
    views = {"double_t": ("double", 0, (3, 2), (1, 3)), "double_row1": ("double", 3, (3,), (1,))}
    path = tmp_path / "model.pth"
    torch_style_checkpoint(path, tensors, views)
    read = read_checkpoint(path)
    assert set(read) == set(tensors) | set(views)
    for name, a in tensors.items():
        assert read[name].dtype == a.dtype and read[name].shape == a.shape
        np.testing.assert_array_equal(read[name], a)
    np.testing.assert_array_equal(read["double_t"], tensors["double"].T)
    np.testing.assert_array_equal(read["double_row1"], tensors["double"][1])


def test_a_pickle_that_would_run_code_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "marker"
    payload = f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()
    path = tmp_path / "evil.pth"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", payload)
        z.writestr("archive/version", "3\n")
    with pytest.raises(CheckpointError, match=r"names the global os\.system"):
        read_torch(path)
    assert not marker.exists()
    # the payload is live: plain pickle would have run it (this is what the restriction stops)
    pickle.loads(payload)
    assert marker.exists()


def test_legacy_and_corrupt_files_are_refused_with_a_reason(tmp_path):
    legacy = tmp_path / "legacy.pth"
    legacy.write_bytes(pickle.dumps({"a": 1}, protocol=2))
    with pytest.raises(CheckpointError, match="legacy .*torch.save"):
        read_checkpoint(legacy)
    good = tmp_path / "good.pth"
    torch_style_checkpoint(good, {"w": np.ones((4, 4), "float32")})
    cut = tmp_path / "cut.pth"
    cut.write_bytes(good.read_bytes()[:200])
    with pytest.raises(CheckpointError):
        read_checkpoint(cut)
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        read_checkpoint(tmp_path / "missing.pth")


def test_safetensors_round_trip_and_corruption(tmp_path):
    from safetensors.numpy import save_file

    tensors = {"a": np.arange(12, dtype="float32").reshape(3, 4), "b": np.ones(3, "int64")}
    path = tmp_path / "m.safetensors"
    save_file(tensors, str(path))
    read = read_checkpoint(path)
    for k, v in tensors.items():
        np.testing.assert_array_equal(read[k], v)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(path.read_bytes()[:40])
    with pytest.raises(CheckpointError):
        read_checkpoint(bad)


# --- layouts: a PyTorch-layout computation written out in NumPy equals Keras with the converted tensor ---

def _torch_conv(x, w, groups=1):
    """Cross-correlation as PyTorch's Conv2d computes it (NCHW-free: x is HWC, w is OIHW), stride 1, valid."""
    h, w_, _ = x.shape
    o, ig, kh, kw = w.shape
    out = np.zeros((h - kh + 1, w_ - kw + 1, o))
    per = o // groups
    for oc in range(o):
        g = oc // per
        patch_in = x[:, :, g * ig:(g + 1) * ig]
        for i in range(out.shape[0]):
            for j in range(out.shape[1]):
                out[i, j, oc] = np.sum(patch_in[i:i + kh, j:j + kw, :] * np.transpose(w[oc], (1, 2, 0)))
    return out


def test_layout_conversions_compute_what_pytorch_computes():
    import keras

    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 6, 4))
    w = rng.normal(size=(6, 2, 3, 3))  # 6 outputs, 2 groups of 2 inputs
    conv = keras.layers.Conv2D(6, 3, groups=2, use_bias=False, dtype="float64")
    conv.build((1, 6, 6, 4))
    conv.set_weights([conv_kernel(w)])
    np.testing.assert_allclose(np.asarray(conv(x[None]))[0], _torch_conv(x, w, groups=2), atol=1e-12)
    dw = rng.normal(size=(8, 1, 3, 3))  # 4 channels, depth multiplier 2
    layer = keras.layers.DepthwiseConv2D(3, depth_multiplier=2, use_bias=False, dtype="float64")
    layer.build((1, 6, 6, 4))
    layer.set_weights([depthwise_kernel(dw, 2)])
    np.testing.assert_allclose(np.asarray(layer(x[None]))[0], _torch_conv(x, dw, groups=4), atol=1e-12)
    lin = rng.normal(size=(3, 4))
    v = rng.normal(size=(2, 4))
    np.testing.assert_allclose(v @ dense_kernel(lin), v @ lin.T)
    with pytest.raises(ValueError, match="OIHW"):
        conv_kernel(lin)


# --- downloads, against a server on 127.0.0.1 ---

class _Server:
    """Serves ``files`` on 127.0.0.1; ``truncate`` cuts every response short of its Content-Length."""

    def __init__(self, files: dict[str, bytes], truncate: bool = False):
        self.files, self.truncate, self.requests = files, truncate, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.files.get(self.path.lstrip("/"))
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if server.truncate else body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


BODY = np.random.default_rng(2).bytes(3 * dl.CHUNK + 123)
SHA = hashlib.sha256(BODY).hexdigest()


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_shows_progress_then_hits_the_cache_without_a_request(tmp_path, monkeypatch):
    advanced = []

    class RecordingBar:
        def __init__(self, progress, total, label):
            advanced.append(("start", total, label))

        def advance(self, n):
            advanced.append(n)

        def close(self):
            advanced.append("close")

    monkeypatch.setattr(dl, "_bar", RecordingBar)
    monkeypatch.setenv(dl.CACHE_ENV, str(tmp_path / "cache"))
    with _Server({"w.bin": BODY}) as server:
        path = fetch(f"{server.url}/w.bin", SHA)
        assert path == tmp_path / "cache" / "w.bin" and path.read_bytes() == BODY
        assert advanced[0] == ("start", len(BODY), "w.bin") and advanced[-1] == "close"
        assert sum(n for n in advanced if isinstance(n, int)) == len(BODY)
        again = fetch(f"{server.url}/w.bin", SHA)
        assert again == path and server.requests == ["/w.bin"]  # the second call asked nothing
    assert _listing(tmp_path / "cache") == ["w.bin"]


def test_a_hash_mismatch_caches_nothing(tmp_path):
    with _Server({"w.bin": BODY}) as server:
        with pytest.raises(WeightsDownloadError, match=f"not the published {'0' * 64}"):
            fetch(f"{server.url}/w.bin", "0" * 64, folder=tmp_path, progress=False)
    assert _listing(tmp_path) == []


def test_a_truncated_response_caches_nothing(tmp_path):
    with _Server({"w.bin": BODY}, truncate=True) as server:
        with pytest.raises(WeightsDownloadError, match="broke off|of .* bytes"):
            fetch(f"{server.url}/w.bin", SHA, folder=tmp_path, progress=False)
    assert _listing(tmp_path) == []


def test_a_server_that_is_down_names_url_hash_and_where_to_put_the_file(tmp_path):
    with _Server({}) as server:
        url = f"{server.url}/w.bin"
    with pytest.raises(WeightsDownloadError) as err:  # the server is shut: nothing listens on that port now
        fetch(url, SHA, folder=tmp_path, progress=False, timeout=5)
    message = str(err.value)
    assert url in message and SHA in message and str(tmp_path / "w.bin") in message, message
    assert _listing(tmp_path) == []


def test_an_md5_digest_is_checked_as_md5(tmp_path):
    """keras.applications publishes MD5 for its older files: "md5:HEX" is checked with MD5."""
    with _Server({"w.bin": BODY}) as server:
        path = fetch(f"{server.url}/w.bin", "md5:" + hashlib.md5(BODY).hexdigest(), folder=tmp_path, progress=False)
        assert path.read_bytes() == BODY
        with pytest.raises(WeightsDownloadError, match="MD5"):
            fetch(f"{server.url}/w.bin", "md5:" + "0" * 32, folder=tmp_path / "other", progress=False)
    assert _listing(tmp_path / "other") == []


def test_a_corrupt_cache_entry_is_not_used(tmp_path):
    (tmp_path / "w.bin").write_bytes(b"not the file")
    with pytest.raises(WeightsDownloadError, match="cached"):
        fetch("http://127.0.0.1:9/w.bin", SHA, folder=tmp_path, progress=False)


def test_port_pairs_a_grey_input_convolution_and_refuses_a_misfit():
    """A convolution of one input channel has PyTorch shape (C, 1, kh, kw), as a depthwise kernel has: it is
    copied as the convolution it is; the same tensor for a 3-channel convolution is refused, naming it."""
    import keras

    from mobilecnn.weights.torch_port import PortError, port

    def model(channels):
        x = keras.Input((8, 8, channels))
        y = keras.layers.Conv2D(4, 3, use_bias=False, name="conv")(x)
        return keras.Model(x, keras.layers.Dense(2, name="fc")(keras.layers.Flatten()(y)))

    rng = np.random.default_rng(0)
    state = {"conv.weight": rng.normal(size=(4, 1, 3, 3)), "fc.weight": rng.normal(size=(2, 144)),
             "fc.bias": rng.normal(size=(2,))}
    grey = model(1)
    assert port(grey, state) == {"conv": "conv", "fc": "fc"}
    np.testing.assert_allclose(grey.get_layer("conv").get_weights()[0], conv_kernel(state["conv.weight"]), rtol=1e-6)
    with pytest.raises(PortError, match=r"module #0 'conv' is a depthwise, where ours is a conv"):
        port(model(3), state)
