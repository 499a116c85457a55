"""ShuffleNet V1 and V2: channel shuffle against the paper's definition, the converted graph's ranks,
the paper's width tables, and parameter and multiply-add counts against the cited references.

Registry-wide checks (default build, save/reload in safe mode, tf_keras twin) are in test_zoo.py.
"""

from __future__ import annotations

import contextlib
import io
import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import assert_close, images, need_gpu, realistic_batchnorm, run

import mobilecnn
from mobilecnn.families import shufflenet_v1, shufflenet_v2
from mobilecnn.layers import custom_layers


def paper_shuffle(x: np.ndarray, groups: int) -> np.ndarray:
    """Zhang et al. 2017, sec. 3.1: reshape the channels to (groups, n), transpose, flatten."""
    n, h, w, c = x.shape
    return x.reshape(n, h, w, groups, c // groups).transpose(0, 1, 2, 4, 3).reshape(n, h, w, c)


# ---------------------------------------------------------------- channel shuffle and slice layers

@pytest.mark.parametrize("flavour", ["keras", "tf_keras"])
@pytest.mark.parametrize("groups,channels", [(2, 8), (3, 12), (3, 240), (4, 20), (8, 384), (8, 8), (1, 6)])
def test_channel_shuffle_is_the_papers_permutation(flavour, groups, channels):
    k = mobilecnn.flavours.keras_module(flavour)
    layer = custom_layers(flavour).ChannelShuffle(groups, name="shuffle")
    x = np.random.default_rng(groups).normal(size=(2, 3, 5, channels)).astype("float32")
    for shape in ((3, 5, channels), (None, None, channels)):  # static and unknown spatial size
        inputs = k.Input(shape)
        model = k.Model(inputs, layer(inputs))
        out = np.asarray(model(x))
        np.testing.assert_array_equal(out, paper_shuffle(x, groups))
    # On channel indices: output channel i * groups + j is input channel j * (channels / groups) + i.
    index = np.broadcast_to(np.arange(channels, dtype="float32"), (1, 1, 1, channels))
    shuffled = np.asarray(layer(index))[0, 0, 0].astype(int)
    per_group = channels // groups
    expected = [j * per_group + i for i in range(per_group) for j in range(groups)]
    assert shuffled.tolist() == expected


def test_channel_shuffle_and_slice_validate_and_serialize():
    layers = custom_layers("keras")
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="groups"):
            layers.ChannelShuffle(bad)
    with pytest.raises(ValueError, match="divisible by groups=3"):
        layers.ChannelShuffle(3)(keras.Input((4, 4, 8)))
    with pytest.raises(ValueError, match="greater than start"):
        layers.ChannelSlice(4, 4)
    with pytest.raises(ValueError, match=r"channels \[2, 9\)"):
        layers.ChannelSlice(2, 9)(keras.Input((4, 4, 8)))
    shuffle = layers.ChannelShuffle(4, name="s")
    assert type(shuffle).from_config(shuffle.get_config()).groups == 4
    sliced = layers.ChannelSlice(2, 5, name="c")
    clone = type(sliced).from_config(sliced.get_config())
    x = np.arange(16, dtype="float32").reshape(1, 1, 2, 8)
    np.testing.assert_array_equal(np.asarray(clone(x)), x[..., 2:5])


# ---------------------------------------------------------------- converted graphs

def _convert(model) -> bytes:
    """Float32 TFLite of a frozen concrete function: the graph from_keras_model gives, in a third of the time."""
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    spec = tf.TensorSpec(model.inputs[0].shape, tf.float32)
    function = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec)
    with contextlib.redirect_stdout(io.StringIO()):
        return tf.lite.TFLiteConverter.from_concrete_functions([convert_variables_to_constants_v2(function)]).convert()


def _tensor_ranks_and_ops(content: bytes) -> tuple[set[int], list[str]]:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content)
    ranks = {len(t["shape"]) for t in interpreter.get_tensor_details()}
    return ranks, [op["op_name"] for op in interpreter._get_ops_details()]


def _gpu_analysis(content: bytes) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        tf.lite.experimental.Analyzer.analyze(model_content=content, gpu_compatibility=True)
    return buf.getvalue()


@pytest.mark.parametrize("name,options", [("shufflenet-v1", {"groups": 8}), ("shufflenet-v2", {})])
def test_converted_shufflenet_has_no_rank_5_tensor(name, options):
    """The LiteRT GPU delegate falls back to the CPU on 5-D reshapes and non-4-D transposes."""
    model = mobilecnn.build(name, resolution=32, batch_size=1, classifier_activation=None, **options)
    realistic_batchnorm(model)
    content = _convert(model)
    ranks, ops = _tensor_ranks_and_ops(content)
    assert max(ranks) == 4, ranks
    shuffles = sum(type(layer).__name__ == "ChannelShuffle" for layer in model.layers)
    assert shuffles == 16 and ops.count("TRANSPOSE") == shuffles  # each shuffle is in the graph, as one transpose
    report = _gpu_analysis(content)
    assert "looks compatible with GPU delegate" in report and "GPU COMPATIBILITY WARNING" not in report
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content)
    interpreter.allocate_tensors()
    x = images(3, 32)
    out = []
    for image in x:
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image[None])
        interpreter.invoke()
        out.append(interpreter.get_tensor(interpreter.get_output_details()[0]["index"])[0])
    expected = np.concatenate([run(model, image[None]) for image in x])
    # Logits of size ~20: the converted graph's reordered float32 sums differ by ~1e-5 of that (measured 2.7e-4).
    assert_close(np.stack(out), expected, atol=1e-4 * np.abs(expected).max())


def test_rank_check_catches_a_5d_shuffle():
    """The check above can fail: the paper's literal 5-D shuffle converts to rank-5 tensors."""

    class FiveDShuffle(keras.layers.Layer):
        def call(self, x):
            _, h, w, c = x.shape
            x = tf.transpose(tf.reshape(x, [-1, h, w, 2, c // 2]), [0, 1, 2, 4, 3])
            return tf.reshape(x, [-1, h, w, c])

    inputs = keras.Input((4, 4, 8), batch_size=1)
    ranks, _ = _tensor_ranks_and_ops(_convert(keras.Model(inputs, FiveDShuffle()(inputs))))
    assert 5 in ranks


def test_tfmot_annotates_the_channel_layers():
    """QAT wraps ChannelShuffle and ChannelSlice like any single-input, weightless layer."""
    from mobilecnn.quantization.configs import PassthroughQuantizeConfig as PassThrough
    from mobilecnn.quantization.configs import tfmot

    k = mobilecnn.flavours.keras_module("tf_keras")
    layers = custom_layers("tf_keras")
    q = tfmot.quantization.keras

    inputs = k.Input((8, 8, 3))
    x = k.layers.Conv2D(12, 1, name="conv")(inputs)
    x = q.quantize_annotate_layer(layers.ChannelShuffle(3, name="shuffle"), PassThrough())(x)
    x = q.quantize_annotate_layer(layers.ChannelSlice(0, 6, name="split"), PassThrough())(x)
    x = k.layers.Conv2D(4, 1, name="head")(x)
    annotated = q.quantize_annotate_model(k.Model(inputs, x))
    with q.quantize_scope({"PassthroughQuantizeConfig": PassThrough, "ChannelShuffle": layers.ChannelShuffle,
                           "ChannelSlice": layers.ChannelSlice}):
        qat = q.quantize_apply(annotated)
    assert {"quant_shuffle", "quant_split"} <= {layer.name for layer in qat.layers}
    assert np.asarray(qat(images(1, 8))).shape == (1, 8, 8, 4)


# ---------------------------------------------------------------- ShuffleNet V1

# megvii-model/ShuffleNet-Series, ShuffleNetV1/network.py: stage_out_channels[1:] (conv1, stages 2-4)
# for each (group, model_size), and ShuffleNetV1/README.md: (FLOPs, #Params) of each.
MEGVII_CHANNELS = {
    (3, 0.5): (12, 120, 240, 480), (3, 1.0): (24, 240, 480, 960),
    (3, 1.5): (24, 360, 720, 1440), (3, 2.0): (48, 480, 960, 1920),
    (8, 0.5): (16, 192, 384, 768), (8, 1.0): (24, 384, 768, 1536),
    (8, 1.5): (24, 576, 1152, 2304), (8, 2.0): (48, 768, 1536, 3072),
}
MEGVII_README = {
    (3, 0.5): (38e6, 0.7e6), (3, 1.0): (138e6, 1.9e6), (3, 1.5): (292e6, 3.4e6), (3, 2.0): (524e6, 5.4e6),
    (8, 0.5): (40e6, 1.0e6), (8, 1.0): (138e6, 2.4e6), (8, 1.5): (290e6, 4.3e6), (8, 2.0): (522e6, 6.5e6),
}


def megvii_params(group: int, channels: tuple[int, ...], classes: int = 1000) -> int:
    """Parameters of the authors' ShuffleNetV1(group, model_size), from its layer shapes.

    ShuffleV1Block (ShuffleNetV1/blocks.py): 1x1 conv to oup // 4 (ungrouped in the first unit),
    depthwise 3x3, grouped 1x1 to oup (less the input's channels at stride 2), each with batch
    norm (weight and bias; running statistics are buffers); a bias-free Linear classifier.
    """
    stem, *stages = channels
    total = 27 * stem + 2 * stem
    inp = stem
    for s, (repeats, oup) in enumerate(zip((4, 8, 4), stages, strict=True)):
        for i in range(repeats):
            mid, first_groups = oup // 4, 1 if s == 0 and i == 0 else group
            outputs = oup - inp if i == 0 else oup
            total += inp // first_groups * mid + 2 * mid + 9 * mid + 2 * mid + mid // group * outputs + 2 * outputs
            inp = oup
    return total + inp * classes


def megvii_bn_statistics(channels: tuple[int, ...]) -> int:
    """Batch-norm running means and variances of the authors' ShuffleNetV1 (buffers, one of each a channel):
    a BatchNorm2d after conv1 and after each of a unit's three convolutions (ShuffleNetV1/blocks.py)."""
    stem, *stages = channels
    total, inp = stem, stem
    for repeats, oup in zip((4, 8, 4), stages, strict=True):
        for i in range(repeats):
            total += 2 * (oup // 4) + (oup - inp if i == 0 else oup)
            inp = oup
    return 2 * total


def test_v1_width_table_is_valid_for_every_option():
    for groups, scale in itertools.product(shufflenet_v1.WIDTHS, shufflenet_v1.STEM):
        stem, stages = shufflenet_v1.widths(groups, scale)
        assert stem % groups == 0 and all(c % (4 * groups) == 0 for c in stages)
        table = shufflenet_v1.WIDTHS[groups]
        assert all(abs(c - w * scale) <= 0.1 * w * scale for c, w in zip(stages, table, strict=True))
    assert shufflenet_v1.widths(3, 1.0) == (24, (240, 480, 960))  # Table 1, g = 3


@pytest.mark.parametrize("groups,scale", sorted(MEGVII_CHANNELS))
def test_v1_matches_the_authors_implementation(models, groups, scale):
    """Widths, parameters and FLOPs of the authors' published models (megvii-model/ShuffleNet-Series)."""
    stem, stages = shufflenet_v1.widths(groups, scale)
    assert (stem, *stages) == MEGVII_CHANNELS[groups, scale]
    model = models.get("shufflenet-v1", groups=groups, width_multiplier=scale)
    prof = mobilecnn.profile(model)
    flops, params = MEGVII_README[groups, scale]
    theirs = megvii_params(groups, MEGVII_CHANNELS[groups, scale])
    assert theirs == pytest.approx(params, abs=0.05e6)  # the README rounds to 0.1M
    assert prof.trainable_params == theirs + 1000  # their layers, and the biases of our classifier
    assert prof.macs == pytest.approx(flops, rel=0.02)
    assert prof.non_trainable_params == megvii_bn_statistics(MEGVII_CHANNELS[groups, scale])


@pytest.mark.parametrize("groups,reference", [(3, 1.9e6), (8, 2.4e6)])
def test_v1_params_within_2_percent_of_the_authors(models, groups, reference):
    """megvii-model/ShuffleNet-Series ShuffleNetV1/README.md: 1.0x (group=3) 1.9M, 1.0x (group=8) 2.4M."""
    prof = mobilecnn.profile(models.get("shufflenet-v1", groups=groups))
    assert prof.trainable_params == pytest.approx(reference, rel=0.02)


@pytest.mark.parametrize("groups", sorted(shufflenet_v1.COMPLEXITY))
def test_v1_macs_match_table_1(models, groups):
    """Zhang et al. 2017, Table 1: 143M, 140M, 137M, 133M, 137M multiply-adds for g = 1, 2, 3, 4, 8."""
    model = models.get("shufflenet-v1", groups=groups)
    assert mobilecnn.profile(model).macs == pytest.approx(shufflenet_v1.COMPLEXITY[groups], rel=0.02)
    assert model.get_layer("stage2_unit1_gconv1").groups == 1       # sec. 3.3: stage 2 starts ungrouped
    assert model.get_layer("stage2_unit2_gconv1").groups == groups
    assert model.get_layer("stage4_unit4_gconv2").groups == groups
    assert model.output_shape == (None, 1000)


@pytest.mark.parametrize("groups", [1, 2, 3, 4])
def test_v1_quarter_width_is_tables_2_complexity(models, groups):
    """Zhang et al. 2017, Table 2: ShuffleNet 0.25x is 13M multiply-adds (one figure for every g).

    Within 5%: the table does not give 0.25x widths; ours keep conv1 at 12 channels (see STEM).
    """
    model = models.get("shufflenet-v1", groups=groups, width_multiplier=0.25)
    assert mobilecnn.profile(model).macs == pytest.approx(13e6, rel=0.05)


def test_v1_rejects_options_outside_the_tables():
    with pytest.raises(ValueError, match=r"groups must be one of 1, 2, 3, 4, 8 .*got 5"):
        mobilecnn.build("shufflenet-v1", groups=5)
    with pytest.raises(ValueError, match=r"width_multiplier must be one of 0.25, 0.5, 1.0, 1.5, 2.0, got 0.75"):
        mobilecnn.build("shufflenet-v1", width_multiplier=0.75)
    with pytest.raises(ValueError, match="got True"):
        mobilecnn.build("shufflenet-v1", groups=True)


def test_v1_stride_2_unit_concatenates_a_pooled_shortcut():
    """Fig. 2c: the unit's output is [avg-pooled input, ReLU(branch)], the shortcut first."""
    model = mobilecnn.build("shufflenet-v1", groups=2, width_multiplier=0.5, resolution=32, num_classes=3)
    realistic_batchnorm(model)
    names = ["stage3_unit1_shortcut_pool", "stage3_unit1_relu", "stage3_unit1_concat"]
    probe = keras.Model(model.input, [model.get_layer(n).output for n in names])
    pooled, branch, joined = (np.asarray(t) for t in probe(images(1, 32)))
    np.testing.assert_array_equal(joined, np.concatenate([pooled, branch], axis=-1))
    assert joined.shape[-1] == shufflenet_v1.widths(2, 0.5)[1][1]


def torch_pool(x: np.ndarray, kind: str) -> np.ndarray:
    """PyTorch's MaxPool2d / AvgPool2d(3, stride=2, padding=1) on NHWC: windows centred on even pixels,
    zero padding counted in averages (count_include_pad=True), ignored by maxima."""
    n, h, w, c = x.shape
    fill = -np.inf if kind == "max" else 0.0
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), constant_values=fill)
    out = np.empty((n, (h - 1) // 2 + 1, (w - 1) // 2 + 1, c), x.dtype)
    for i in range(out.shape[1]):
        for j in range(out.shape[2]):
            window = padded[:, 2 * i:2 * i + 3, 2 * j:2 * j + 3]
            out[:, i, j] = window.max(axis=(1, 2)) if kind == "max" else window.sum(axis=(1, 2)) / 9
    return out


def test_strided_windows_are_padded_as_pytorch():
    """The authors' and torchvision's stride-2 windows pad one pixel each side; "same" would shift them."""
    model = mobilecnn.build("shufflenet-v1", groups=3, width_multiplier=0.5, resolution=64, num_classes=3)
    realistic_batchnorm(model)
    names = ["conv1_relu", "maxpool", "stage2_unit1_shortcut_pool"]
    stem, pooled, shortcut = (np.asarray(t) for t in keras.Model(
        model.input, [model.get_layer(n).output for n in names])(images(1, 64)))
    assert_close(pooled, torch_pool(stem, "max"), rtol=1e-6, min_spread=0)
    assert_close(shortcut, torch_pool(pooled, "avg"), rtol=1e-5, atol=1e-6, min_spread=0)
    for name in ("conv1", "stage2_unit1_dwconv", "stage3_unit1_dwconv"):
        layer = model.get_layer(name)
        assert layer.padding == "valid" and type(model.get_layer(f"{name}_pad")).__name__ == "ZeroPadding2D"


# ---------------------------------------------------------------- ShuffleNet V2

# torchvision/models/shufflenetv2.py: _stage_out_channels of shufflenet_v2_x0_5 ... x2_0 (conv1, stages 2-4, conv5).
TORCHVISION_V2_CHANNELS = {0.5: (24, 48, 96, 192, 1024), 1.0: (24, 116, 232, 464, 1024),
                           1.5: (24, 176, 352, 704, 1024), 2.0: (24, 244, 488, 976, 2048)}
TORCHVISION_V2 = {0.5: 1_366_792, 1.0: 2_278_604, 1.5: 3_503_624, 2.0: 7_393_996}  # ShuffleNet_V2_X*_Weights
PAPER_MACS = {0.5: 41e6, 1.0: 146e6, 1.5: 299e6, 2.0: 591e6}  # Ma et al. 2018, Table 5 (MFLOPs = multiply-adds)


def torchvision_v2_counts(channels: tuple[int, ...], classes: int = 1000) -> tuple[int, int]:
    """(parameters, batch-norm running statistics) of torchvision's ShuffleNetV2 from its layer shapes.

    conv1 3x3 (bias-free) + BN; per stage ([4, 8, 4] units), the stride-2 unit's branch1 (3x3 depthwise + BN,
    1x1 + BN) and every unit's branch2 (1x1 + BN, 3x3 depthwise + BN, 1x1 + BN), all bias-free, branch width
    oup // 2 (the other units' branch2 reads half the channels); conv5 1x1 + BN; a Linear with bias.
    """
    conv1, *stages, conv5 = channels
    params, bn = 27 * conv1, conv1
    inp = conv1
    for repeats, oup in zip((4, 8, 4), stages, strict=True):
        half = oup // 2
        params += 9 * inp + inp * half + (inp * half + 9 * half + half * half)    # branch1; branch2 reading inp
        bn += inp + half + 3 * half
        params += (repeats - 1) * (half * half + 9 * half + half * half)
        bn += (repeats - 1) * 3 * half
        inp = oup
    params += inp * conv5
    bn += conv5
    return params + 2 * bn + conv5 * classes + classes, 2 * bn


@pytest.mark.parametrize("width", sorted(shufflenet_v2.WIDTHS))
def test_v2_params_equal_torchvision_and_macs_table_5(models, width):
    """torchvision ShuffleNet_V2_X*_Weights num_params (exact), and its batch-norm buffers counted from its layer
    shapes; Ma et al. 2018 Table 5 FLOPs (within 2%)."""
    model = models.get("shufflenet-v2", width_multiplier=width)
    prof = mobilecnn.profile(model)
    params, statistics = torchvision_v2_counts(TORCHVISION_V2_CHANNELS[width])
    assert params == TORCHVISION_V2[width]                           # the layer shapes above are torchvision's
    assert prof.trainable_params == TORCHVISION_V2[width]
    assert prof.non_trainable_params == statistics
    assert prof.macs == pytest.approx(PAPER_MACS[width], rel=0.02)
    assert model.get_layer("conv5").filters == TORCHVISION_V2_CHANNELS[width][-1]
    assert model.output_shape == (None, 1000)


def test_reference_tables_are_the_cited_ones():
    assert shufflenet_v2.TORCHVISION_PARAMS == TORCHVISION_V2
    assert shufflenet_v2.PAPER_MACS == PAPER_MACS
    assert shufflenet_v1.COMPLEXITY == {1: 143e6, 2: 140e6, 3: 137e6, 4: 133e6, 8: 137e6}


def test_v2_rejects_other_widths():
    with pytest.raises(ValueError, match=r"width_multiplier must be one of 0.5, 1.0, 1.5, 2.0 .*got 0.75"):
        mobilecnn.build("shufflenet-v2", width_multiplier=0.75)


def test_v2_unit_splits_and_shuffles():
    """Fig. 3c: the left half passes through; the concatenation is shuffled in two groups."""
    model = mobilecnn.build("shufflenet-v2", width_multiplier=0.5, resolution=32, num_classes=3)
    realistic_batchnorm(model)
    names = ["stage2_unit1_shuffle", "stage2_unit2_split_left", "stage2_unit2_branch2_conv2_relu",
             "stage2_unit2_shuffle"]
    probe = keras.Model(model.input, [model.get_layer(n).output for n in names])
    unit_in, left, right, out = (np.asarray(t) for t in probe(images(1, 32)))
    np.testing.assert_array_equal(left, unit_in[..., :24])
    np.testing.assert_array_equal(out, paper_shuffle(np.concatenate([left, right], axis=-1), 2))


# ---------------------------------------------------------------- shapes at every resolution

@pytest.mark.parametrize("name", ["shufflenet-v1", "shufflenet-v2"])
def test_output_shape_at_224_and_down_to_the_smallest_input(models, name):
    """(1, 1000) at 224x224 and at smaller sizes down to 32x32, where stage 4 is 1x1 (32x downsampling)."""
    assert run(models.get(name), images(1, 224)).shape == (1, 1000)
    assert mobilecnn.registry.get(name).min_resolution == 32
    for res in (32, 97):
        model = mobilecnn.build(name, resolution=res)
        assert run(model, images(1, res)).shape == (1, 1000)
    last = "stage4_unit4_relu" if name == "shufflenet-v1" else "conv5_relu"
    assert model.get_layer(last).output.shape[1:3] == (4, 4)  # ceil(97 / 32)


@pytest.mark.slow
@pytest.mark.parametrize("groups,scale", itertools.product(shufflenet_v1.WIDTHS, shufflenet_v1.STEM))
def test_every_v1_variant_builds_and_runs(groups, scale):
    model = mobilecnn.build("shufflenet-v1", groups=groups, width_multiplier=scale, resolution=32)
    assert run(model, images(1, 32)).shape == (1, 1000)


WEBGPU_GROUPED_CONV = pytest.mark.xfail(
    reason="LiteRT 2.3's WebGPU accelerator (seen on Mesa llvmpipe) crashes compiling a grouped CONV_2D with "
           "more than 4 input channels per group and per-group outputs not a multiple of 4 "
           "(g = 8: stage2_unit1_gconv2, 96 -> 360 channels, 12 -> 45 per group); the float16 export splits such "
           "convolutions (export/graph.py), this raw graph does not", strict=True)


@pytest.mark.slow
@pytest.mark.parametrize("name,options", [("shufflenet-v1", {"groups": 3}), ("shufflenet-v2", {}),
                                          pytest.param("shufflenet-v1", {"groups": 8}, marks=WEBGPU_GROUPED_CONV)])
def test_litert_gpu_accelerator_runs_the_whole_graph(tmp_path, name, options):
    """Compile for LiteRT's GPU accelerator alone (software Vulkan where no GPU): no op falls back."""
    from mobilecnn.export.delegates import gpu_report

    path = tmp_path / "m.tflite"
    path.write_bytes(_convert(mobilecnn.build(name, resolution=64, batch_size=1, **options)))
    report = gpu_report(str(path))
    need_gpu(report)
    assert report.fully_accelerated, report
