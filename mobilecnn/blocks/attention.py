"""Mobile multi-query attention (Qin et al. 2024, "MobileNetV4", sec. 4 and Fig. 5): the hybrids' attention
block, in tensors of rank 3 at most.

Multi-query attention (Shazeer 2019) gives every query head the same single key and value head, so with
the heads folded into the row axis the whole attention is two plain batched matrix products:

    q: (B, H, W, heads * key_dim) -> (B, H * W * heads, key_dim)     row (pixel, head), as timm orders them
    k: (B, h, w, key_dim)         -> (B, h * w, key_dim)             one head, shared
    v: (B, h, w, value_dim)       -> (B, h * w, value_dim)
    o = softmax(q k^T / sqrt(key_dim)) v  -> (B, H * W * heads, value_dim) -> (B, H, W, heads * value_dim)

No 5-D reshape and no transpose (the LiteRT GPU delegate refuses both); with a fixed batch every shape is
a constant. Keys and values are downsampled by a strided depthwise convolution and batch norm each
(``kv_stride``), which cuts the logits by ``kv_stride ** 2``.

The block as the reference (timm 1.0.31 ``MobileAttention`` with ``MultiQueryAttention2d``): batch-norm
pre-norm, attention, 1x1 output convolution, LayerScale, residual add; no biases, no positional encoding.
Layer names follow timm's module path (``{p}attn_query_proj`` is ``blocks.3.4.attn.query.proj``).
"""

from __future__ import annotations

from mobilecnn.blocks.core import BatchNorm, conv_bn, depthwise_bn
from mobilecnn.blocks.uib import NAMES, TIMM_BN, UIBNames, padded, residual
from mobilecnn.flavours import layers_for


def mobile_mqa(x, *, heads: int, key_dim: int, value_dim: int, prefix: str, kv_stride: int = 1,
               kernel: int = 3, out: int | None = None, bn: BatchNorm = TIMM_BN, padding: str = "symmetric",
               layer_scale: float | None = 1e-5, drop_rate: float = 0.0, names: UIBNames = NAMES):
    """Mobile MQA block on ``x`` (B, H, W, C): ``heads`` query heads of ``key_dim``, one shared key head and
    value head (``value_dim``), keys and values downsampled by ``kv_stride`` with a ``kernel`` depthwise
    convolution; output ``out`` channels (default C)."""
    L = layers_for(x)
    shortcut = x
    height, width, channels = (int(d) for d in x.shape[1:])
    out = channels if out is None else out
    p = f"{prefix}attn_"
    x = L.BatchNormalization(epsilon=bn.epsilon, momentum=bn.momentum, name=f"{prefix}norm")(x)

    q = conv_bn(x, heads * key_dim, 1, act=None, bn=None, use_bias=False, names=(f"{p}query_proj", None, None))
    q = L.Rescaling(key_dim ** -0.5, name=f"{p}query_scale")(q)
    q = L.Reshape((height * width * heads, key_dim), name=f"{p}query_heads")(q)

    def key_or_value(kind: str, dim: int):
        y = x
        if kv_stride > 1:
            y, pad = padded(y, kernel, kv_stride, padding, f"{p}{kind}_pad")
            y = depthwise_bn(y, kernel, kv_stride, act=None, bn=bn, padding=pad,
                             names=(f"{p}{kind}_down_conv", f"{p}{kind}_norm", None))
        y = conv_bn(y, dim, 1, act=None, bn=None, use_bias=False, names=(f"{p}{kind}_proj", None, None))
        return L.Reshape((int(y.shape[1]) * int(y.shape[2]), dim), name=f"{p}{kind}_flat")(y)

    k = key_or_value("key", key_dim)
    v = key_or_value("value", value_dim)
    logits = L.Dot(axes=(2, 2), name=f"{p}logits")([q, k])            # (B, H*W*heads, h*w)
    weights = L.Softmax(axis=-1, name=f"{p}softmax")(logits)
    o = L.Dot(axes=(2, 1), name=f"{p}context")([weights, v])          # (B, H*W*heads, value_dim)
    o = L.Reshape((height, width, heads * value_dim), name=f"{p}merge_heads")(o)
    o = conv_bn(o, out, 1, act=None, bn=None, use_bias=False, names=(f"{p}output_proj", None, None))
    return residual(o, shortcut, layer_scale=layer_scale, drop_rate=drop_rate, names=names, prefix=prefix)
