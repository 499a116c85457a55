"""MobileNetV4 (Qin et al. 2024): parameter and MAC counts against timm 1.0.31, Mobile MQA against a NumPy
reference of its formula, the UIB's four instances, symmetric padding, exports in every precision, QAT.

Reference figures are timm 1.0.31's (``timm.create_model('mobilenetv4_*')``: sum of parameters, BatchNorm2d
running mean and variance, Conv2d + Linear multiply-accumulates from forward hooks; the hybrids' attention
matmuls QK^T + AV counted apart), written out here from /work/shared/REFERENCE_FIGURES.md, not read from
the registry, so a wrong registry entry fails too. Registry-wide checks (save/reload in safe mode, tf_keras
twin) run in test_zoo.py.

Untrained hybrids start their LayerScales at 1e-5 (timm's init), also on blocks without a residual add:
there the whole signal shrinks 1e5-fold, below float16's normal range (6e-5) and, after a few such
blocks, to int8 ranges of width 0 (the converter then crashes). Export and QAT tests therefore give the
LayerScales trained-like values, as conftest's realistic_batchnorm does for batch-norm scales.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_close, realistic_batchnorm, run
from edge_checks import export_error
from mobilecnn.export import export_model

import mobilecnn
from mobilecnn import registry

# timm 1.0.31 (REFERENCE_FIGURES.md): params (all trainable), BN running stats, default res, MACs (Conv2d +
# Linear) at default res, attention matmul MACs at default res.
TIMM = {
    "mobilenet-v4-conv-small": (3_774_024, 25_088, 224, 186_005_568, 0),
    "mobilenet-v4-conv-medium": (9_715_512, 67_904, 256, 1_080_244_224, 0),
    "mobilenet-v4-conv-large": (32_590_864, 149_552, 384, 6_376_220_672, 0),
    "mobilenet-v4-hybrid-medium": (11_074_648, 75_840, 256, 1_229_240_320, 41_943_040),
    "mobilenet-v4-hybrid-large": (37_764_624, 164_400, 384, 7_372_138_496, 339_738_624),
}
# timm results/results-imagenet.csv: top-1 of each default pretrained tag at its input_size.
TOP1 = {"mobilenet-v4-conv-small": 73.756, "mobilenet-v4-conv-medium": 79.916, "mobilenet-v4-conv-large": 82.974,
        "mobilenet-v4-hybrid-medium": 82.360, "mobilenet-v4-hybrid-large": 83.996}
FAST = ("mobilenet-v4-conv-small", "mobilenet-v4-hybrid-medium")
SLOW = [pytest.param(n, marks=pytest.mark.slow) for n in TIMM if n not in FAST]
RES = 64
SMALL = {"resolution": RES, "width_multiplier": 0.5, "num_classes": 10}


def attention_macs(model) -> int:
    """QK^T and AV multiply-accumulates: each Dot layer's output elements times the contracted length."""
    total = 0
    for layer in model.layers:
        if type(layer).__name__ == "Dot":
            a, _ = layer.input
            axis = layer.axes[0] if isinstance(layer.axes, (list, tuple)) else layer.axes
            total += int(np.prod(layer.output.shape[1:])) * int(a.shape[axis])
    return total


@pytest.mark.parametrize("name", [*FAST, *SLOW])
def test_counts_equal_timm(name):
    params, stats, res, macs, attn = TIMM[name]
    model = mobilecnn.build(name)
    assert model.input_shape == (None, res, res, 3)
    prof = mobilecnn.profile(model)
    assert prof.trainable_params == params                   # timm's parameters
    assert prof.non_trainable_params == stats                # its BN running statistics (buffers in PyTorch)
    assert prof.macs == pytest.approx(macs, rel=0.02)        # our profiler counts conv + dense only, as timm's column
    assert attention_macs(model) == attn
    ref = registry.get(name).reference
    assert (ref.params, ref.trainable, ref.macs, ref.top1) == (params + stats, params, macs, TOP1[name])
    assert "timm 1.0.31" in ref.params_source and "results-imagenet.csv" in ref.top1_source


def test_five_models_and_their_options():
    names = mobilecnn.list_models("mobilenet-v4*")
    assert names == sorted(TIMM)
    info = mobilecnn.model_info("mobilenet-v4-hybrid-large")
    assert {"width_multiplier", "activation", "padding", "drop_path_rate"} <= set(info["options"])
    with pytest.raises(ValueError, match="padding must be one of"):
        mobilecnn.build("mobilenet-v4-conv-small", resolution=RES, padding="valid")
    with pytest.raises(ValueError, match="activation must be one of"):
        mobilecnn.build("mobilenet-v4-conv-small", resolution=RES, activation="mish")


def test_cli_lists_five(capsys):
    from mobilecnn.cli import main

    assert main(["list", "mobilenet-v4*", "--json"]) == 0
    import json

    assert [m["name"] for m in json.loads(capsys.readouterr().out)] == sorted(TIMM)


def test_width_multiplier_rounds_blocks_and_keeps_stem_and_head():
    """timm ``round_channels`` (multiples of 8, at most 10% down); ``fix_stem`` below 1.0; head 1280 always."""
    model = mobilecnn.build("mobilenet-v4-conv-small", resolution=RES, width_multiplier=0.35)
    by_name = {layer.name: layer for layer in model.layers}
    assert by_name["conv_stem"].filters == 32
    assert by_name["blocks_1_0_conv"].filters == 32                    # 96 * 0.35 = 33.6 -> 32
    assert by_name["blocks_4_0_conv"].filters == 336                   # 960 * 0.35
    assert by_name["conv_head"].filters == 1280
    wide = mobilecnn.build("mobilenet-v4-conv-small", resolution=RES, width_multiplier=1.5)
    assert {la.name: la for la in wide.layers}["conv_stem"].filters == 48


# ---------------------------------------------------------------- blocks

def block_model(fn, shape, flavour="keras", **kwargs):
    k = mobilecnn.flavours.keras_module(flavour)
    inputs = k.Input(shape)
    return k.Model(inputs, fn(inputs, **kwargs))


@pytest.mark.parametrize("start, mid, kinds", [
    (3, 5, ["DepthwiseConv2D", "DepthwiseConv2D"]),   # ExtraDW
    (0, 3, ["DepthwiseConv2D"]),                      # IB
    (5, 0, ["DepthwiseConv2D"]),                      # ConvNext-like
    (0, 0, []),                                       # FFN
])
@pytest.mark.parametrize("stride", [1, 2])
def test_uib_instances(start, mid, kinds, stride):
    from mobilecnn.blocks.uib import universal_inverted_bottleneck

    if stride == 2 and not (start or mid):
        with pytest.raises(ValueError, match="strided UIB needs a depthwise"):
            block_model(universal_inverted_bottleneck, (8, 8, 16), out=16, expanded=32, start=0, mid=0, stride=2,
                        act="relu", prefix="b_")
        return
    model = block_model(universal_inverted_bottleneck, (8, 8, 16), out=16, expanded=32, start=start, mid=mid,
                        stride=stride, act="relu", prefix="b_", layer_scale=1e-5)
    layers = {layer.name: layer for layer in model.layers}
    assert [type(la).__name__ for la in model.layers if type(la).__name__ == "DepthwiseConv2D"] == kinds
    assert layers["b_pw_exp_conv"].filters == 32 and layers["b_pw_proj_conv"].filters == 16
    assert ("b_add" in layers) == (stride == 1)
    assert model.output_shape == (None, 8 // stride, 8 // stride, 16)
    strided = [n for n, la in layers.items() if getattr(la, "strides", (1, 1)) == (2, 2)]
    if stride == 2:  # on the middle depthwise when there is one (timm), else on the start one
        assert strided == ["b_dw_mid_conv" if mid else "b_dw_start_conv"]
        assert "b_pad_mid" in layers or "b_pad_start" in layers
    assert "b_dw_start_act" not in layers  # the start depthwise has no activation
    np.testing.assert_allclose(layers["b_layer_scale"].get_weights()[0], 1e-5)


def torch_conv(x, w, stride):
    """PyTorch Conv2d with symmetric padding (k - 1) // 2: x (H, W, C), w (k, k, C, F)."""
    k = w.shape[0]
    p = (k - 1) // 2
    xp = np.pad(x, ((p, p), (p, p), (0, 0)))
    out = (xp.shape[0] - k) // stride + 1
    y = np.zeros((out, out, w.shape[3]))
    for i in range(out):
        for j in range(out):
            patch = xp[i * stride:i * stride + k, j * stride:j * stride + k]
            y[i, j] = np.tensordot(patch, w, axes=3)
    return y


@pytest.mark.parametrize("kernel", [3, 5])
def test_symmetric_padding_is_pytorchs(kernel):
    """Strided convolutions pad (k-1)//2 on every side, as PyTorch (timm's checkpoints); "same" differs there."""
    import keras

    from mobilecnn.blocks.uib import padded

    x = np.random.default_rng(kernel).normal(size=(1, 8, 8, 3)).astype("float32")
    w = np.random.default_rng(1).normal(size=(kernel, kernel, 3, 4)).astype("float32")
    outs = {}
    for padding in ("symmetric", "same"):
        inputs = keras.Input((8, 8, 3))
        y, mode = padded(inputs, kernel, 2, padding, "pad")
        conv = keras.layers.Conv2D(4, kernel, strides=2, padding=mode, use_bias=False)
        model = keras.Model(inputs, conv(y))
        conv.set_weights([w])
        outs[padding] = run(model, x)[0]
    expected = torch_conv(x[0], w, 2)
    assert_close(outs["symmetric"], expected, rtol=1e-5, atol=1e-5, min_spread=0)
    assert np.abs(outs["same"] - expected).max() > 0.1


def numpy_mqa(x, w, heads, key_dim, kv_stride, eps=1e-5):
    """Mobile MQA from its formula, independently of our code: BN pre-norm; q = xWq split into heads; k, v =
    (strided depthwise + BN if kv_stride > 1) then one shared head each; softmax(q k^T / sqrt(d)) v per
    head; heads concatenated; output projection; LayerScale; residual add. ``w`` holds the weights by role."""
    def bn(t, p):
        gamma, beta, mean, var = p
        return (t - mean) / np.sqrt(var + eps) * gamma + beta

    def depthwise(t, kernel, stride):  # PyTorch padding (k - 1) // 2
        k = kernel.shape[0]
        p = (k - 1) // 2
        tp = np.pad(t, ((p, p), (p, p), (0, 0)))
        out = (tp.shape[0] - k) // stride + 1
        y = np.zeros((out, out, t.shape[2]))
        for i in range(out):
            for j in range(out):
                y[i, j] = (tp[i * stride:i * stride + k, j * stride:j * stride + k] * kernel[..., 0]).sum((0, 1))
        return y

    outputs = []
    for image in x.astype("float64"):
        h, wd, c = image.shape
        n = bn(image, w["norm"])
        q = (n @ w["query"]).reshape(h * wd, heads, key_dim)
        kv = {}
        for role in ("key", "value"):
            t = n
            if kv_stride > 1:
                t = bn(depthwise(t, w[f"{role}_down"], kv_stride), w[f"{role}_norm"])
            kv[role] = (t @ w[role]).reshape(-1, key_dim)
        o = np.zeros((h * wd, heads, key_dim))
        for head in range(heads):
            logits = q[:, head] @ kv["key"].T / np.sqrt(key_dim)
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            o[:, head] = (p / p.sum(axis=1, keepdims=True)) @ kv["value"]
        y = o.reshape(h, wd, heads * key_dim) @ w["output"]
        outputs.append(image + y * w["gamma"])
    return np.stack(outputs)


@pytest.mark.parametrize("flavour", ["keras", "tf_keras"])
@pytest.mark.parametrize("kv_stride", [1, 2])
def test_mobile_mqa_equals_the_formula(kv_stride, flavour):
    from mobilecnn.blocks.attention import mobile_mqa

    heads, key_dim, c, size = 4, 8, 12, 6
    model = block_model(mobile_mqa, (size, size, c), flavour, heads=heads, key_dim=key_dim, value_dim=key_dim,
                        prefix="m_", kv_stride=kv_stride)
    rng = np.random.default_rng(kv_stride)
    layers = {layer.name: layer for layer in model.layers}

    def kernel(name, shape):
        value = rng.normal(0, 0.5, shape)
        layers[name].set_weights([value.astype("float32")])
        return value

    def norm(name):
        value = [rng.uniform(0.5, 1.5, c), rng.normal(0, 0.2, c), rng.normal(0, 0.2, c), rng.uniform(0.5, 1.5, c)]
        layers[name].set_weights([v.astype("float32") for v in value])
        return value

    w = {"norm": norm("m_norm"),
         "query": kernel("m_attn_query_proj", (1, 1, c, heads * key_dim))[0, 0],
         "key": kernel("m_attn_key_proj", (1, 1, c, key_dim))[0, 0],
         "value": kernel("m_attn_value_proj", (1, 1, c, key_dim))[0, 0],
         "output": kernel("m_attn_output_proj", (1, 1, heads * key_dim, c))[0, 0],
         "gamma": kernel("m_layer_scale", (c,))}
    if kv_stride > 1:
        for role in ("key", "value"):
            w[f"{role}_down"] = kernel(f"m_attn_{role}_down_conv", (3, 3, c, 1))
            w[f"{role}_norm"] = norm(f"m_attn_{role}_norm")
    x = rng.normal(size=(3, size, size, c)).astype("float32")
    assert_close(run(model, x), numpy_mqa(x, w, heads, key_dim, kv_stride), rtol=1e-4, atol=1e-4)
    # rank 3 at most, no transposes (the LiteRT GPU delegate refuses 5-D reshapes and transposes)
    assert all(len(layer.output.shape) <= 4 for layer in model.layers)
    assert not any("Permute" in type(layer).__name__ for layer in model.layers)


def test_mobile_mqa_reference_can_fail():
    """The NumPy reference sees a wrong head split: heads taken as the slow axis of the channels."""
    rng = np.random.default_rng(0)
    heads, key_dim, c = 2, 4, 6
    w = {"norm": [np.ones(c), np.zeros(c), np.zeros(c), np.ones(c)], "query": rng.normal(size=(c, heads * key_dim)),
         "key": rng.normal(size=(c, key_dim)), "value": rng.normal(size=(c, key_dim)),
         "output": rng.normal(size=(heads * key_dim, c)), "gamma": np.ones(c)}
    x = rng.normal(size=(1, 4, 4, c))
    swapped = dict(w, query=w["query"].reshape(c, heads, key_dim).transpose(0, 2, 1).reshape(c, -1))
    assert np.abs(numpy_mqa(x, w, heads, key_dim, 1) - numpy_mqa(x, swapped, heads, key_dim, 1)).max() > 1e-2


# ---------------------------------------------------------------- export and QAT

def trained_like(model, seed: int = 0):
    """Random batch-norm parameters with measured statistics (conftest), LayerScales drawn like BN scales."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ == "LayerScale":
            layer.set_weights([rng.uniform(0.5, 1.5, layer.get_weights()[0].shape).astype("float32")])
    realistic_batchnorm(model, seed=seed)
    return model


_exports: dict = {}


def exported(name: str, precision: str, options: dict = SMALL, full_integer: bool = False):
    key = (name, precision, tuple(sorted(options.items())), full_integer)
    if key not in _exports:
        model = trained_like(mobilecnn.build(name, **options))
        _exports[key] = export_model(model, precision, recalibrate=False, calibration_count=32, verify_count=16,
                                     full_integer=full_integer)
    return _exports[key]


ATTENTION_OPS = {"BATCH_MATMUL", "SOFTMAX"}   # no int8 kernel in LiteRT 2.3's XNNPACK delegate
GELU_INT8 = {"GELU"}                            # likewise (float32 and float16 GELU are in XNNPACK and on the GPU)


def outside_kinds(meta) -> set[str]:
    return {op.split("#")[0] for op in meta["xnnpack"]["ops_outside"]}


def check(result, precision, name):
    meta = result.metadata
    assert meta["verification"]["passed"], meta["verification"]
    if precision in ("float32", "float16", "int8"):
        # int8: the hybrids' attention (BATCH_MATMUL, SOFTMAX) and Hybrid-L's GELU have no int8 XNNPACK kernel and
        # are computed in float inside XNNPACK (export/convert.py's float islands); every other op in int8
        assert meta["xnnpack"]["one_partition"], meta["xnnpack"]
    if precision == "int8":
        islands = ATTENTION_OPS | (GELU_INT8 if name.endswith("large") else set()) if "hybrid" in name else set()
        assert set(meta["float_ops"]) <= islands and meta["full_integer"] == (not islands), meta["float_ops"]
    if precision == "float16":
        assert meta["gpu_analyzer"]["gpu_compatible"], meta["gpu_analyzer"]
        if meta["gpu"]["available"]:
            assert meta["gpu"]["fully_accelerated"], meta["gpu"]


# The fast suite keeps Conv-S in float16 (the GPU check) and int8 (the partition check); Hybrid-M's int8 export
# (attention's int8 ops, 38 s) and the rest run under -m slow.
FAST_EXPORTS = [("mobilenet-v4-conv-small", "float16"), ("mobilenet-v4-conv-small", "int8"),
                pytest.param("mobilenet-v4-hybrid-medium", "int8",
                             marks=[pytest.mark.slow, pytest.mark.xdist_group("mnv4-hm-int8")])]
SLOW_EXPORTS = [pytest.param(n, p, marks=pytest.mark.slow) for n in ("mobilenet-v4-conv-small",
                                                                     "mobilenet-v4-hybrid-medium")
                for p in ("float32", "float16", "dynamic") if n.endswith("hybrid-medium") or p != "float16"]
# Hybrid-L int8 post-training quantization was a strict xfail at cosine 0.49 (bar 0.7). It passes since the
# verification's logits reading (8930d1b) and the tests' realistic batch-norm statistics (e415532) changed (which
# of the two did it is not isolated): cosine 0.76 for the untrained model at 64 px, 0.5x (0.84 with ReLU for its
# GELU).
SLOW_EXPORTS += [pytest.param(n, p, marks=pytest.mark.slow)
                 for n in TIMM if n not in FAST for p in ("float32", "float16", "dynamic", "int8")]


@pytest.mark.parametrize("name, precision", [*FAST_EXPORTS, *SLOW_EXPORTS])
def test_exports_verify_and_partition(name, precision):
    check(exported(name, precision), precision, name)


@pytest.mark.slow
@pytest.mark.xdist_group("mnv4-hm-int8")  # the export above, on its worker
def test_hybrid_full_integer_int8_leaves_only_attention_outside_xnnpack():
    """The one thing full-integer int8 cannot meet: every MQA block's (8 of them) int8 SOFTMAX, and most of their
    16 int8 BATCH_MATMULs, run outside XNNPACK (which takes an int8 BATCH_MATMUL for some quantization parameters
    only: 0-2 of the 16 here, varying with the calibration crops). The default int8 export computes them in float
    inside XNNPACK instead (test_exports_verify_and_partition)."""
    meta = exported("mobilenet-v4-hybrid-medium", "int8", full_integer=True).metadata
    assert meta["full_integer"] and meta["verification"]["passed"]
    ops = [op.split("#")[0] for op in meta["xnnpack"]["ops_outside"]]
    assert set(ops) == ATTENTION_OPS and ops.count("SOFTMAX") == 8 + 1  # + the classifier's softmax
    assert 8 <= ops.count("BATCH_MATMUL") <= 16


def qat_export(name: str, options: dict):
    import tf_keras
    from mobilecnn.export.convert import qat_to_tflite
    from mobilecnn.export.delegates import xnnpack_report

    from mobilecnn.quantization import float_ops

    model = mobilecnn.build(name, classifier_activation=None, **options)
    from mobilecnn.export.calibration import builtin_images

    # Crops of photographs, not uniform noise: noise images all look alike to a network, so its logits barely vary
    # between them and the export's error is judged against almost nothing
    images = builtin_images(tuple(model.inputs[0].shape[1:]), 8, seed=0)
    trained_like(model)
    qat_model = mobilecnn.qat(model, calibration=images)
    qat_model.compile(tf_keras.optimizers.Adam(1e-3),
                      tf_keras.losses.SparseCategoricalCrossentropy(from_logits=True), run_eagerly=True)
    assert np.isfinite(qat_model.train_on_batch(images, np.arange(8) % 10))
    content = qat_to_tflite(qat_model)
    assert float_ops(content) == []
    report = xnnpack_report(content)
    return report, qat_model, content, images


@pytest.mark.parametrize("name", ["mobilenet-v4-conv-small",  # Hybrid-M (48 s here) under -m slow
                                  pytest.param("mobilenet-v4-hybrid-medium", marks=pytest.mark.slow)])
def test_qat_export_is_full_integer(name):
    from mobilecnn.export.runtime import TFLiteRunner

    report, qat_model, content, images = qat_export(name, SMALL)
    if "hybrid" in name:
        assert {op.split("#")[0] for op in report.ops_outside} <= ATTENTION_OPS, report
    else:
        assert report.one_partition, report
    expected = np.asarray(qat_model(images, training=False))
    got = TFLiteRunner(model_content=content)(images)
    # The logits must depend on the image, or the error below is judged against nothing
    assert np.mean((expected - expected.mean(axis=0)) ** 2) > 0.01 * np.mean(expected ** 2)
    # A right export, with the suite's seed on this AMD CPU: Conv-S 0.30, Hybrid-M 0.45 (0.39-0.67 with other
    # weights and photographs: 8 attention blocks' int8 rounding, each layer within 3-7 quantization steps of the
    # QAT model, diagnosed layer by layer; at 0.5 with uniform-noise images, whose logits barely vary).
    # An export of some other function of the image is about sqrt(2) off (two unrelated outputs of the same
    # spread), as the same outputs paired with the wrong images show.
    assert export_error(got, expected) < 0.5
    assert export_error(np.roll(got, 1, axis=0), expected) > 0.5


@pytest.mark.slow
def test_hybrid_large_gelu_is_exact_and_exports():
    model = mobilecnn.build("mobilenet-v4-hybrid-large", **SMALL)
    gelus = [la for la in model.layers if type(la).__name__ == "Activation" and la.get_config()["activation"] == "gelu"]
    assert gelus
    x = np.linspace(-4, 4, 81, dtype="float32")
    from scipy.special import erf

    assert_close(np.asarray(gelus[0].activation(x)), 0.5 * x * (1 + erf(x / np.sqrt(2))), atol=1e-6, min_spread=0)
    check(exported("mobilenet-v4-hybrid-large", "float16"), "float16", "mobilenet-v4-hybrid-large")  # GPU takes GELU
