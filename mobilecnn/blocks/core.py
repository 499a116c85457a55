"""The shared block library: plain functions over the functional API.

Every function takes a tensor and returns a tensor. Convolutions, batch norms
and activations stay top-level layers, so graph tools, tfmot annotation and
weight transfer see each one. Layer classes come from the tensor's own flavour
(Keras 3 or tf_keras), so the same code builds both graphs. Names come from
the caller: each family has one naming scheme (see :class:`BlockNames`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mobilecnn.flavours import flavour_of, layers_for
from mobilecnn.layers import custom_layers

ACTIVATIONS = ("relu", "relu6", "swish", "sigmoid", "hard_swish", "hard_swish_decomposed",
               "hard_sigmoid", "tanh", "gelu", "linear")


@dataclass(frozen=True)
class BatchNorm:
    """Batch-norm settings of a family (Keras defaults unless the reference differs)."""

    epsilon: float = 1e-3
    momentum: float = 0.99
    scale: bool = True    # a learned scale (gamma); keras.applications' InceptionV3 has none (a ReLU follows)


def activation(x, kind: str | None, name: str):
    """Apply activation ``kind`` as its own layer(s); ``None``/"linear" is identity."""
    L = layers_for(x)
    if kind in (None, "linear"):
        return x
    if kind == "relu":
        return L.ReLU(name=name)(x)
    if kind == "relu6":
        return L.ReLU(6.0, name=name)(x)
    if kind in ("swish", "sigmoid", "tanh", "gelu"):  # gelu: exact (erf), Keras' default in both flavours
        return L.Activation(kind, name=name)(x)
    if kind == "hard_swish":
        return custom_layers(flavour_of(x)).HardSwish(name=name)(x)
    if kind == "hard_swish_decomposed":
        return hard_swish_decomposed(x, name)
    if kind == "hard_sigmoid":
        return hard_sigmoid(x, name)
    raise ValueError(f"unknown activation {kind!r}; allowed: {', '.join(ACTIVATIONS)}")


def hard_sigmoid(x, name: str):
    """``relu6(x + 3) / 6`` as ADD, RELU6, MUL layers, each of which int8 kernels take."""
    L = layers_for(x)
    x = L.Rescaling(1.0, offset=3.0, name=f"{name}_shift")(x)
    x = L.ReLU(6.0, name=f"{name}_relu6")(x)
    return L.Rescaling(1.0 / 6.0, name=name)(x)


def hard_swish_decomposed(x, name: str):
    """``relu6(x + 3) * (x / 6)``: the int8 form of hard-swish.

    TFLite does not fuse this into ``HARD_SWISH`` (which LiteRT's XNNPACK lacks
    in int8), and every op is a layer that QAT can give its own quantizer.
    """
    L = layers_for(x)
    gate = L.Rescaling(1.0, offset=3.0, name=f"{name}_shift")(x)
    gate = L.ReLU(6.0, name=f"{name}_relu6")(gate)
    scaled = L.Rescaling(1.0 / 6.0, name=f"{name}_scale")(x)
    return L.Multiply(name=name)([gate, scaled])


def conv_bn(x, filters: int, kernel: int | tuple[int, int], stride: int = 1, *, act: str | None,
            names: tuple[str, str | None, str | None], bn: BatchNorm | None = BatchNorm(),
            groups: int = 1, padding: str = "same", use_bias: bool | None = None,
            kernel_initializer: Any = "glorot_uniform"):
    """Convolution, batch norm (``bn=None`` for none) and activation.

    ``names`` is (conv, batch-norm, activation). The convolution has a bias only
    when no batch norm follows, unless ``use_bias`` says otherwise.
    """
    L = layers_for(x)
    conv_name, bn_name, act_name = names
    x = L.Conv2D(filters, kernel, strides=stride, padding=padding, groups=groups,
                 use_bias=(bn is None) if use_bias is None else use_bias,
                 kernel_initializer=kernel_initializer, name=conv_name)(x)
    if bn is not None:
        x = L.BatchNormalization(epsilon=bn.epsilon, momentum=bn.momentum, scale=bn.scale, name=bn_name)(x)
    return activation(x, act, act_name)


def depthwise_bn(x, kernel: int, stride: int = 1, *, act: str | None,
                 names: tuple[str, str, str | None], bn: BatchNorm = BatchNorm(),
                 depth_multiplier: int = 1, kernel_initializer: Any = "glorot_uniform", padding: str = "same"):
    """Depthwise convolution (no bias), batch norm and activation; "same" padding unless told."""
    L = layers_for(x)
    conv_name, bn_name, act_name = names
    x = L.DepthwiseConv2D(kernel, strides=stride, padding=padding, use_bias=False,
                          depth_multiplier=depth_multiplier,
                          depthwise_initializer=kernel_initializer, name=conv_name)(x)
    x = L.BatchNormalization(epsilon=bn.epsilon, momentum=bn.momentum, name=bn_name)(x)
    return activation(x, act, act_name)


def squeeze_excite(x, squeeze: int, *, act: str, gate: str, names: dict[str, str],
                   kernel_initializer: Any = "glorot_uniform"):
    """Squeeze-and-excitation (Hu et al. 2017) with 1x1 convolutions.

    The pooled tensor keeps its 1x1 spatial shape (no ``Reshape``), so no op in
    the converted graph depends on the batch size.
    """
    L = layers_for(x)
    channels = x.shape[-1]
    s = L.GlobalAveragePooling2D(keepdims=True, name=names["pool"])(x)
    s = L.Conv2D(squeeze, 1, padding="same", kernel_initializer=kernel_initializer,
                 name=names["reduce"])(s)
    s = activation(s, act, names["reduce_act"])
    s = L.Conv2D(channels, 1, padding="same", kernel_initializer=kernel_initializer,
                 name=names["expand"])(s)
    s = activation(s, gate, names["gate"])
    return L.Multiply(name=names["excite"])([x, s])


@dataclass(frozen=True)
class BlockNames:
    """A family's layer-naming scheme for one inverted-residual block.

    Each field is a format string that gets the block prefix ``p``.
    """

    expand: str = "{p}expand"
    expand_bn: str = "{p}expand_bn"
    expand_act: str = "{p}expand_activation"
    depthwise: str = "{p}depthwise"
    depthwise_bn: str = "{p}depthwise_bn"
    depthwise_act: str = "{p}depthwise_activation"
    se: dict[str, str] = field(default_factory=lambda: {
        "pool": "{p}se_squeeze", "reduce": "{p}se_reduce", "reduce_act": "{p}se_reduce_activation",
        "expand": "{p}se_expand", "gate": "{p}se_gate", "excite": "{p}se_excite"})
    project: str = "{p}project"
    project_bn: str = "{p}project_bn"
    project_act: str = "{p}project_activation"  # only blocks whose projection has an activation (fused MBConv)
    drop: str = "{p}drop"
    add: str = "{p}add"

    def __call__(self, key: str, prefix: str) -> str:
        return getattr(self, key).format(p=prefix)

    def se_names(self, prefix: str) -> dict[str, str]:
        return {k: v.format(p=prefix) for k, v in self.se.items()}


def inverted_residual(x, *, expanded: int, out: int, kernel: int, stride: int, act: str,
                      names: BlockNames, prefix: str, se_squeeze: int | None = None,
                      se_act: str = "relu", se_gate: str = "hard_sigmoid", bn: BatchNorm = BatchNorm(),
                      drop_rate: float = 0.0, expand: bool | None = None,
                      kernel_initializer: Any = "glorot_uniform"):
    """MobileNet V2 / V3 / EfficientNet MBConv block (Sandler et al. 2018, Fig. 4d).

    1x1 expansion to ``expanded`` channels (skipped when ``expand`` is False,
    by default when ``expanded`` equals the input width), depthwise ``kernel``
    convolution with ``stride``, optional squeeze-excite to ``se_squeeze``
    channels, linear 1x1 projection to ``out`` channels, and a residual add
    when shapes allow, with stochastic depth (drop-connect) at ``drop_rate``.
    """
    L = layers_for(x)
    inputs = x
    in_channels = x.shape[-1]
    if expand is None:
        expand = expanded != in_channels
    n = lambda key: names(key, prefix)  # noqa: E731
    if expand:
        x = conv_bn(x, expanded, 1, act=act, bn=bn, kernel_initializer=kernel_initializer,
                    names=(n("expand"), n("expand_bn"), n("expand_act")))
    x = depthwise_bn(x, kernel, stride, act=act, bn=bn, kernel_initializer=kernel_initializer,
                     names=(n("depthwise"), n("depthwise_bn"), n("depthwise_act")))
    if se_squeeze:
        x = squeeze_excite(x, se_squeeze, act=se_act, gate=se_gate, names=names.se_names(prefix),
                           kernel_initializer=kernel_initializer)
    x = conv_bn(x, out, 1, act=None, bn=bn, kernel_initializer=kernel_initializer,
                names=(n("project"), n("project_bn"), None))
    if stride == 1 and in_channels == out:
        if drop_rate > 0:
            # Stochastic depth: drop the whole residual branch per sample.
            x = L.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=n("drop"))(x)
        x = L.Add(name=n("add"))([x, inputs])
    return x
