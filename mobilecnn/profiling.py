"""Parameters, multiply-accumulates and peak activation memory, counted from the graph.

Works on any functional model of either Keras flavour. MACs count
convolutions (grouped and depthwise) and dense layers, the convention of the
papers' "multiply-adds"; element-wise ops, pooling and batch norm are left out.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Profile:
    params: int
    trainable_params: int
    non_trainable_params: int
    macs: int                      # multiply-accumulates for one image
    peak_activation_bytes: int     # float32, batch 1, tensors freed after their last use
    peak_layer: str                # the layer running when the peak is reached

    def as_dict(self) -> dict:
        return asdict(self)


def count_params(weights) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def _as_list(t):
    return list(t) if isinstance(t, (list, tuple)) else [t]


def _elements(shape) -> int:
    return math.prod(1 if d is None else int(d) for d in shape[1:])


def layer_macs(layer) -> int:
    """Multiply-accumulates of one layer call, batch 1."""
    kind = type(layer).__name__
    if kind not in ("Conv2D", "DepthwiseConv2D", "Dense", "Conv1D", "SeparableConv2D"):
        return 0
    out_shape = _as_list(layer.output)[0].shape
    in_channels = _as_list(layer.input)[0].shape[-1]
    positions = _elements(out_shape) // out_shape[-1]
    if kind == "Dense":
        return positions * in_channels * out_shape[-1]
    kernel = math.prod(layer.kernel_size)
    if kind == "DepthwiseConv2D":
        return positions * out_shape[-1] * kernel
    if kind == "SeparableConv2D":
        mid = in_channels * layer.depth_multiplier
        return positions * (mid * kernel + mid * out_shape[-1])
    groups = getattr(layer, "groups", 1)
    return positions * out_shape[-1] * kernel * in_channels // groups


def peak_activation(model) -> tuple[int, str]:
    """Peak bytes of live float32 activations in a batch-1 forward pass, in layer order."""
    layers = model.layers
    size: dict[int, int] = {}
    last_use: dict[int, int] = {}
    produced_at: dict[int, int] = {}
    for idx, layer in enumerate(layers):
        for t in _as_list(layer.output):
            size[id(t)] = 4 * _elements(t.shape)
            produced_at.setdefault(id(t), idx)
            last_use.setdefault(id(t), idx)
        if type(layer).__name__ != "InputLayer":
            for t in _as_list(layer.input):
                last_use[id(t)] = max(last_use.get(id(t), idx), idx)
    for t in _as_list(model.outputs):
        last_use[id(t)] = len(layers)
    peak, where = 0, ""
    for idx, layer in enumerate(layers):
        live = sum(size[t] for t in size if produced_at[t] <= idx <= last_use[t])
        if live > peak:
            peak, where = live, layer.name
    return peak, where


# What one eager call of a functional model may hold in activations: Keras keeps every layer's output of the call
# until it returns, so a batch of large images (EfficientNet-B7 at 600 px holds 3.9 GB per image) is run in parts.
ACTIVATION_BUDGET = 4 << 30


def held_activation_bytes(model) -> int:
    """Bytes of every layer's float32 output for one image: what an eager functional call holds at its end."""
    try:
        return sum(4 * _elements(t.shape) for layer in model.layers for t in _as_list(layer.output))
    except (AttributeError, ValueError):  # a layer called more than once (a shared-layer clone): count its nodes
        return sum(4 * _elements(t.shape) for layer in model.layers for node in layer._inbound_nodes
                   for t in _as_list(node.outputs))


def images_per_call(model, budget: int | None = None, at_least: int = 1) -> int:
    """How many images one call of ``model`` takes within ``budget`` bytes of held activations (default
    :data:`ACTIVATION_BUDGET`), and never fewer than ``at_least``."""
    budget = ACTIVATION_BUDGET if budget is None else budget
    return max(at_least, budget // max(1, held_activation_bytes(model)))


def profile(model) -> Profile:
    """Parameters (trainable and not), MACs and peak activation memory of ``model``."""
    trainable = count_params(model.trainable_weights)
    frozen = count_params(model.non_trainable_weights)
    macs = sum(layer_macs(layer) for layer in model.layers)
    peak, where = peak_activation(model)
    return Profile(trainable + frozen, trainable, frozen, int(macs), peak, where)
