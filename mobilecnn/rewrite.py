"""Rewriting a built functional graph layer by layer, in either Keras flavour.

:func:`rewrite` re-traces a model from a fresh input, calling each layer again
(same instance, same weights) unless a rule returns a replacement output for
it. Keras 3 does this with ``clone_model(call_function=...)``; tf_keras'
``clone_model`` can only swap a layer for one layer, so its graph is walked
here, node by node in dependency order.
"""

from __future__ import annotations

from collections.abc import Callable

from mobilecnn.flavours import flavour_of, keras_module

# (input tensor, layer) -> the layer's replacement output, or None to call the layer as it is
RewriteRule = Callable[[object, object], object]


def rewrite(model, rule: RewriteRule):
    """``model`` with ``rule`` applied to every layer (a new model object when anything changed)."""
    if flavour_of(model) == "keras":
        return _rewrite_keras(model, rule)
    return _rewrite_tf_keras(model, rule)


def _rewrite_keras(model, rule: RewriteRule):
    import keras

    changed = []

    def call(layer, *args, **kwargs):
        out = rule(args[0], layer)
        if out is None:
            return layer(*args, **kwargs)
        changed.append(layer.name)
        return out

    clone = keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call)
    return clone if changed else model


def _rewrite_tf_keras(model, rule: RewriteRule):
    import tensorflow as tf

    k = keras_module("tf_keras")
    if not hasattr(model, "_nodes_by_depth"):
        raise ValueError(f"{model.name} is not a functional model; only functional graphs can be rewritten")
    seen, changed = set(), []
    tensors = {}
    inputs = []
    for t in model.inputs:
        layer = t._keras_history.layer
        new = k.Input(batch_shape=tuple(t.shape), dtype=t.dtype, name=layer.name)
        tensors[id(t)] = new
        inputs.append(new)

    def mapped(value):
        return tensors[id(value)] if id(value) in tensors else value

    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            if node.is_input:
                continue
            layer = node.layer
            if id(layer) in seen:
                raise ValueError(f"layer {layer.name} is called more than once; shared layers cannot be rewritten")
            seen.add(id(layer))
            args = tf.nest.map_structure(mapped, node.call_args)
            kwargs = tf.nest.map_structure(mapped, node.call_kwargs)
            out = rule(args[0], layer)
            if out is None:
                out = layer(*args, **kwargs)
            else:
                changed.append(layer.name)
            for ref, new in zip(tf.nest.flatten(node.outputs), tf.nest.flatten(out), strict=True):
                tensors[id(ref)] = new
    if not changed:
        return model
    outputs = tf.nest.map_structure(lambda t: tensors[id(t)], model._nested_outputs)
    return k.Model(inputs, outputs, name=model.name)
