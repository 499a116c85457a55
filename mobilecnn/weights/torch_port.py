"""Copying a PyTorch state dict (torchvision's or timm's) into one of our models.

PyTorch names tensors by module path (``layer1.0.conv1.weight``); our layers carry the names of the family's
scheme. Both list their layers in forward order, so the copy pairs them in order: PyTorch's modules in
state-dict order (a module is the prefix its ``weight``/``bias``/``running_mean``… share), ours in the
model's layer order, re-sorted where a family's branches are listed in another order than PyTorch registers
them (:data:`ORDERS`: a ResNet block's projection shortcut comes after its residual branch in torchvision).
Every pair is checked by kind (convolution, depthwise, batch norm, linear, scale) and by shape before
anything is written; the first that does not fit is named, with both sides' counts, and the model is left
as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from mobilecnn.weights import layout


class PortError(ValueError):
    """A checkpoint that does not fit the model (another architecture, width or number of classes)."""


@dataclass
class Module:
    """One PyTorch module's tensors: ``prefix.weight``, ``prefix.bias``, ``prefix.running_mean``, ..."""

    prefix: str
    tensors: dict[str, np.ndarray]

    @property
    def kind(self) -> str:
        t = self.tensors
        if "running_mean" in t:
            return "batchnorm"
        w = t.get("weight")
        if w is None:
            return "scale" if len(t) == 1 else "other"
        if w.ndim == 4:
            return "depthwise" if w.shape[1] == 1 and w.shape[0] > 1 else "conv"
        if w.ndim == 2:
            return "linear"
        return "scale"


BUFFER_SUFFIXES = ("num_batches_tracked",)
# Training-only heads a checkpoint carries (torchvision's GoogLeNet and Inception-v3 files keep their auxiliary
# classifiers): dropped when the model was built without them.
AUXILIARY = ("aux1.", "aux2.", "AuxLogits.")


# Registration order of the named submodules of timm's (and torchvision's) blocks, for files that do not keep
# it: a .safetensors file stores its tensors sorted by name, so "bn1" comes before "conv_stem". Read from the
# state dicts of timm 1.0's MobileNetV4, EfficientNet(-Lite), MnasNet, (legacy) SE-ResNet(-ResNeXt) models.
MODULE_ORDERS: tuple[tuple[str, ...], ...] = (
    ("conv_stem", "bn1", "blocks", "conv_head", "norm_head", "bn2", "classifier"),
    ("dw_start", "pw_exp", "dw_mid", "pw_proj", "layer_scale"),       # MobileNetV4 universal inverted bottleneck
    ("conv_exp", "bn1", "conv_pwl", "bn2"),                           # fused (edge) residual
    ("norm", "attn", "layer_scale"),                                  # MobileNetV4 attention block
    ("query", "key", "value", "output"),
    ("down_conv", "norm", "proj"),
    ("conv_dw", "bn1", "se", "conv_pw", "bn2"),                       # depthwise separable
    ("conv_pw", "bn1", "conv_dw", "bn2", "se", "conv_pwl", "bn3"),    # inverted residual
    ("conv_reduce", "conv_expand"),
    ("layer0", "layer1", "layer2", "layer3", "layer4", "last_linear"),
    ("conv1", "bn1", "relu1", "pool", "layer1", "layer2", "layer3", "layer4", "fc"),
    ("conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "se_module", "se", "downsample"),
    ("fc1", "fc2"),
    ("conv", "bn1"),
    ("conv", "bn"),
)


def _child_order(children: set[str]) -> tuple[str, ...]:
    for order in MODULE_ORDERS:
        if children == set(order):
            return order
    for order in MODULE_ORDERS:
        if children <= set(order):
            return order
    return tuple(sorted(children))


def registration_order(prefixes: list[str]) -> list[str]:
    """Module prefixes sorted as PyTorch registers them: numbered children by number, named ones by
    :data:`MODULE_ORDERS` (for files, like .safetensors, that store tensors sorted by name)."""
    children: dict[str, set[str]] = {}
    for prefix in prefixes:
        parts = prefix.split(".")
        for i, part in enumerate(parts):
            children.setdefault(".".join(parts[:i]), set()).add(part)
    orders = {parent: _child_order({c for c in kids if not c.isdigit()}) for parent, kids in children.items()}

    def key(prefix: str) -> tuple:
        parts = prefix.split(".")
        out = []
        for i, part in enumerate(parts):
            order = orders[".".join(parts[:i])]
            out.append((0, int(part)) if part.isdigit() else (1, order.index(part)))
        return tuple(out)

    return sorted(prefixes, key=key)


def modules(state: Mapping[str, np.ndarray], *, in_order: bool = True) -> list[Module]:
    """The state dict's modules in registration order: the file's (``in_order``: a .pth keeps it) or restored
    by :func:`registration_order`. A module with no tensor we copy is dropped."""
    grouped: dict[str, dict[str, np.ndarray]] = {}
    for key, value in state.items():
        prefix, _, leaf = key.rpartition(".")
        if leaf in BUFFER_SUFFIXES:
            continue
        grouped.setdefault(prefix, {})[leaf] = np.asarray(value)
    prefixes = list(grouped) if in_order else registration_order(list(grouped))
    return [Module(prefix, grouped[prefix]) for prefix in prefixes]


def _keras_kind(layer) -> str:
    kind = type(layer).__name__
    if kind == "BatchNormalization":
        return "batchnorm"
    if kind == "DepthwiseConv2D":
        return "depthwise"
    if kind == "Conv2D":
        return "depthwise" if layer.groups > 1 and layer.groups == layer.filters else "conv"
    if kind == "Dense":
        return "linear"
    if kind == "LayerScale":
        return "scale"
    return kind


def _natural(text: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _resnet_order(name: str) -> tuple:
    """torchvision's Bottleneck/BasicBlock: conv1, bn1, conv2, bn2, (conv3, bn3), (se), downsample.0/.1."""
    m = re.match(r"conv(\d+)_block(\d+)_(.*)$", name)
    if not m:
        return (0 if name.startswith("conv1") else 99, 0, 0, int(name.endswith("_bn")))
    stage, block, rest = int(m[1]), int(m[2]), m[3]
    is_bn = int(rest.endswith("_bn"))
    if rest.startswith("0_"):
        return (stage, block, 90, is_bn)
    if rest.startswith("se_"):
        return (stage, block, 80, 0)   # se_reduce before se_expand, as built
    return (stage, block, int(rest.split("_")[0]), is_bn)


GOOGLENET_BRANCHES = ("1x1", "3x3_reduce", "3x3", "5x5_reduce", "5x5", "pool_proj")  # branch1 ... branch4


def _googlenet_order(name: str) -> tuple:
    """torchvision's Inception: branch1 (1x1), branch2 (reduce, 3x3), branch3 (reduce, "5x5"), branch4; each
    convolution before its batch norm."""
    base, is_bn = (name[:-3], 1) if name.endswith("_bn") else (name, 0)
    m = re.match(r"inception_(\d)([a-z])_(.*)$", base)
    if m:
        return (int(m[1]), m[2], GOOGLENET_BRANCHES.index(m[3]), is_bn)
    m = re.match(r"aux(\d)_(conv|fc|predictions)$", base)
    if m:  # torchvision registers aux1 (conv, bn, fc1, fc2) and aux2 after inception 5b, before fc
        return (9, str(m[1]), ("conv", "fc", "predictions").index(m[2]), is_bn)
    if base.startswith(("conv", "pool")):
        return (0, "", 0, 0)       # the stem keeps its (sequential) order
    return (10, "", 0, 0)          # the classifier


SHUFFLE_BRANCHES = {"branch1": ("dwconv", "conv"), "branch2": ("conv1", "dwconv", "conv2")}


def _shufflenet_v2_order(name: str) -> tuple:
    """torchvision's InvertedResidual: branch1 (depthwise, 1x1) of a downsampling unit, then branch2 (1x1,
    depthwise, 1x1); each convolution before its batch norm."""
    base, is_bn = (name[:-3], 1) if name.endswith("_bn") else (name, 0)
    m = re.match(r"stage(\d+)_unit(\d+)_(branch\d)_(.*)$", base)
    if m:
        return (int(m[1]), int(m[2]), m[3], SHUFFLE_BRANCHES[m[3]].index(m[4]), is_bn)
    return ({"conv1": 0, "conv5": 98}.get(base, 99), 0, "", 0, is_bn)


# family -> a sort key over our layer names that lists them in PyTorch's module order (default: as built).
# The sort is stable: layers with equal keys keep the model's order (a convolution before its batch norm).
ORDERS: dict[str, Callable[[str], tuple]] = {
    "resnet": _resnet_order,
    "wide-resnet": _resnet_order,
    "resnext": _resnet_order,
    "se-resnet": _resnet_order,
    "googlenet": _googlenet_order,
    "shufflenet-v2": _shufflenet_v2_order,
}


# Families whose layer names are timm's module paths with "_" for "." (``blocks_2_4_attn_query_proj``):
# their order is the registration order of those paths.
TIMM_PATHS = ("mobilenet-v4",)
COMPOUNDS = {name for order in MODULE_ORDERS for name in order if "_" in name}


def timm_path(name: str) -> str:
    """``blocks_2_5_dw_start_conv`` -> ``blocks.2.5.dw_start.conv`` (multi-word names from MODULE_ORDERS)."""
    tokens, parts, i = name.split("_"), [], 0
    while i < len(tokens):
        pair = "_".join(tokens[i:i + 2])
        if pair in COMPOUNDS:
            parts.append(pair)
            i += 2
        else:
            parts.append(tokens[i])
            i += 1
    return ".".join(parts)


def _ordered_layers(model, family: str | None) -> list:
    layers = [layer for layer in model.layers if layer.weights]
    if family in TIMM_PATHS:
        by_path = {timm_path(layer.name): layer for layer in layers}
        return [by_path[path] for path in registration_order(list(by_path))]
    key = ORDERS.get(family or "")
    if key is not None:
        layers.sort(key=lambda layer: key(layer.name))
    return layers


def _flatten_shape(model, dense) -> tuple[int, int, int] | None:
    """The (H, W, C) feature map a Dense reads through a Flatten (PyTorch flattens it as C, H, W)."""
    node_inputs = dense.input
    layer = getattr(node_inputs, "_keras_history", None)
    producer = layer[0] if layer else None
    while producer is not None and type(producer).__name__ == "Dropout":
        history = getattr(producer.input, "_keras_history", None)
        producer = history[0] if history else None
    if producer is None or type(producer).__name__ != "Flatten":
        return None
    shape = tuple(producer.input.shape[1:])
    return shape if len(shape) == 3 and shape[0] * shape[1] > 1 else None


def _convert(layer, kind: str, module: Module, model) -> list[np.ndarray]:
    t = module.tensors
    if kind == "batchnorm":
        values = []
        if layer.scale:
            values.append(t["weight"])
        if layer.center:
            values.append(t["bias"])
        return values + [t["running_mean"], t["running_var"]]
    if kind == "linear":
        weight = t["weight"]
        hwc = _flatten_shape(model, layer)
        if hwc is not None:
            h, w, c = hwc
            weight = weight.reshape(weight.shape[0], c, h, w).transpose(0, 2, 3, 1).reshape(weight.shape[0], -1)
        kernel = layout.dense_kernel(weight)
        if type(layer).__name__ == "Conv2D":
            kernel = kernel[None, None]
        return [kernel, t["bias"]] if layer.use_bias else [kernel]
    if kind == "scale":
        (value,) = t.values()
        return [value]
    if type(layer).__name__ == "DepthwiseConv2D":
        kernel = layout.depthwise_kernel(t["weight"], layer.depth_multiplier)
    else:
        kernel = layout.conv_kernel(t["weight"])
    return [kernel, t["bias"]] if layer.use_bias else [kernel]


def port(model, state: Mapping[str, np.ndarray], *, family: str | None = None,
         classifier: str = "copy", in_order: bool = True) -> dict[str, str]:
    """Copy ``state`` (a PyTorch state dict as NumPy arrays) into ``model``; returns our layer -> its module.

    ``classifier``: "copy" (the model's classifier is the checkpoint's), "headless" (the model has none: the
    checkpoint's last module is dropped) or "fresh" (another number of classes: the model's last weight layer
    keeps its initial weights and the checkpoint's last module is dropped).
    """
    if classifier not in ("copy", "headless", "fresh"):
        raise ValueError(f"classifier must be 'copy', 'headless' or 'fresh', got {classifier!r}")
    ours = _ordered_layers(model, family)
    theirs = modules(state, in_order=in_order)
    if not any("aux" in layer.name.lower() for layer in ours):
        theirs = [m for m in theirs if not m.prefix.startswith(AUXILIARY)]
    if classifier != "copy":
        theirs = _drop_classifier(theirs)
    if classifier == "fresh":
        ours = ours[:-1]
    pairs, new_values = {}, []
    for i, (layer, module) in enumerate(zip(ours, theirs, strict=False)):
        kind = _keras_kind(layer)
        if kind == "conv" and module.kind == "linear" and tuple(layer.kernel_size) == (1, 1):
            kind = "linear"  # a classifier written as a 1x1 convolution on the pooled map (keras.applications)
        # A convolution of a one-channel (grey) input has PyTorch shape (C, 1, kh, kw), as a depthwise one.
        grey = kind == "conv" and module.kind == "depthwise" and layer.kernel.shape[2] == 1
        if kind != module.kind and not grey:
            why = f"is a {module.kind}, where ours is a {kind},"
            raise PortError(_mismatch(i, layer, module, why, ours, theirs))
        try:
            values = _convert(layer, kind, module, model)
        except (KeyError, ValueError) as err:
            raise PortError(_mismatch(i, layer, module, f"does not convert ({err}) to", ours, theirs)) from err
        expected = [tuple(w.shape) for w in layer.weights]
        got = [tuple(v.shape) for v in values]
        if expected != got:
            why = f"has shapes {got}, where ours needs {expected},"
            raise PortError(_mismatch(i, layer, module, why, ours, theirs))
        pairs[layer.name] = module.prefix
        new_values.append((layer, values))
    if len(ours) != len(theirs):
        raise PortError(_counts(ours, theirs, pairs))
    for layer, values in new_values:
        layer.set_weights([v.astype(w.dtype) for v, w in zip(values, layer.weights, strict=True)])
    return pairs


def _drop_classifier(theirs: list[Module]) -> list[Module]:
    return theirs[:-1] if theirs and theirs[-1].kind in ("linear", "conv") else theirs


def _mismatch(i: int, layer, module: Module, why: str, ours: list, theirs: list) -> str:
    return (f"the checkpoint does not fit this model: its module #{i} {module.prefix!r} {why} "
            f"{layer.name!r}. The checkpoint has {len(theirs)} weight modules, the model {len(ours)} weight "
            "layers: is it for another architecture, width or number of classes?")


def _counts(ours: list, theirs: list, pairs: dict) -> str:
    if len(theirs) > len(ours):
        extra = [m.prefix for m in theirs[len(ours):]]
        return (f"the checkpoint does not fit this model: after the {len(pairs)} modules that match, it has "
                f"{len(extra)} unexpected ones ({', '.join(extra[:5])}{'...' if len(extra) > 5 else ''})")
    missing = [layer.name for layer in ours[len(theirs):]]
    return (f"the checkpoint does not fit this model: after the {len(pairs)} modules that match, {len(missing)} of "
            f"our layers get no weights (missing: {', '.join(missing[:5])}{'...' if len(missing) > 5 else ''})")
