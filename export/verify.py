"""Does the exported file compute what the Keras model computes?

Every export is compared on the logits (the input of a final softmax) where
the model ends in one, and on its outputs otherwise: float exports by error (max
and mean absolute, relative to the largest |logit|), quantized ones by top-1
agreement and cosine similarity. A softmax hides errors where it is flat and
amplifies rounding where it is steep: a confident classifier (EfficientNet-B0
whose batch-norm statistics came from other images) failed a float32 export on
its probabilities' 0.13% error while its logits agreed to 1e-6 of their scale.

Thresholds are loose enough for honest quantization noise and tight
enough that a broken export (wrong preprocessing, wrong weights, collapsed
activations) fails.

The export is compared with the model as given, not with the graph rewritten
for its precision (export/graph.py), and the rewritten graph is compared with
the model once more in float, where a rewrite is exact up to rounding: a wrong
rewrite constant (hard-swish over 5, not 6) moves an int8 export's cosine
similarity less than quantization does, so only the float check sees it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

# precision -> limits. Float: max abs error relative to the largest |logit| (or |output| with no softmax).
FLOAT_LIMITS = {"float32": 1e-3, "float16": 5e-2}
# Quantized: min cosine similarity of the logits. Untrained networks amplify
# quantization noise more than trained ones: measured here at 64 px with
# recalibrated batch norm, int8 MobileNet V1 0.25 / V2 0.35 / EfficientNet-B0
# (half width and depth) reach 0.76-0.91, V3-Small 0.95, SqueezeNet 0.99+,
# while the same exports fed a wrong input (flipped, or at half scale) give
# 0.39-0.66. The bar sits between: an untrained model clears it, a broken
# export does not.
QUANT_LIMITS = {"dynamic": 0.9, "int8": 0.7}
# Top-1 agreement is judged on "decisive" images only: where the reference's
# margin between its first and second class exceeds twice the export's error on
# that image, quantization noise must not flip the prediction. One flip is
# always allowed (with 3 decisive images, one flip would otherwise read as 67%).
MIN_DECISIVE_AGREEMENT = 0.9
# A rewritten graph against the model, in float32, on logits: max abs error relative to the largest |logit|.
# Rewrites reorder float sums only (measured at 64 px, batch norm measured on images: 2.8e-6 for hard-swish in
# MobileNet V3-Small, 1.5e-6 for ShuffleNet V1's average pools, 0 for its split groups); wrong constants give
# far more (hard-swish over 5 instead of 6: 237; average-pool weights 1/10 instead of 1/9: 0.40).
REWRITE_LIMIT = 1e-4
# A deep untrained network amplifies rounding, so a float export's error is held to what rounding does to the model
# itself: an export that fails FLOAT_LIMITS passes if its error is within ROUNDING_FACTOR x the model's own move
# with its weights rounded at the export's precision, up to MAX_ALLOWANCE of the largest |logit| (past that, the
# precision is not this model's, and a broken export would hide in the noise).
# float16 stores the weights in half precision: the model's own move is with its weights rounded to float16.
# Measured: the untrained MobileNetV4 Hybrid-M at 256 px (layer scales 1e-5, batch-norm variances 1e-10 that
# float16 cannot hold) moves 7.3% with its weights rounded in Keras, and its float16 export 10.3%.
# float32 stores the same weights but sums in other orders; the model's own move is with every weight nudged one
# float32 step (ulp) up or down at random, the larger of two such nudges. The factor is wider than float16's: the
# nudge models rounding of the weights, the export rounds every sum. Measured on the untrained EfficientNet-B6 at
# 528 px (batch norm recalibrated): one instance's export was 3.1e-5 of its largest |logit| off, its nudges moved
# it 2.3e-5 and 2.5e-5; another's (the zoo run's, logits up to 208) was 1.3e-3 off, over the 0.1% limit. The
# untrained EfficientNetV2-L at 480 px (80 blocks) is further into that regime: its float32 export was 5.3% off, its
# own nudge moved it 5.5%. The float32 cap is 10%: past it the model's own outputs decorrelate under rounding
# (a 40-layer chaotic tanh network: 49% off, nudges 39%), while a broken export is off by the logits' whole
# scale (a 1% wrong kernel in a 33-layer one: 180%; flipped inputs: 200%).
ROUNDING_FACTOR = {"float16": 2.0, "float32": 4.0}
MAX_ALLOWANCE = {"float16": 0.5, "float32": 0.1}


@dataclass
class Verification:
    precision: str
    images: int
    max_abs_error: float
    mean_abs_error: float
    relative_max_error: float
    top1_agreement: float
    cosine_similarity: float
    decisive_images: int
    decisive_agreement: float | None
    passed: bool
    reason: str = ""
    rewrite_relative_error: float | None = None   # the rewritten graph against the model (None: no rewrite)
    rounding_error: float | None = None   # float exports: the model's own move with its weights rounded (if asked)

    def as_dict(self) -> dict:
        return asdict(self)


def compare(precision: str, reference: np.ndarray, exported: np.ndarray, limit: float | None = None,
            logits: bool = True) -> Verification:
    """Compare Keras outputs ``reference`` with the exported file's ``exported``.

    ``limit`` replaces a float precision's limit (the rewrite check asks for float32 rounding only);
    ``logits`` says what is compared, for the message.
    """
    reference = reference.reshape(len(reference), -1).astype("float64")
    exported = exported.reshape(len(exported), -1).astype("float64")
    diff = np.abs(reference - exported)
    scale = max(float(np.abs(reference).max()), 1e-12)
    top1 = float(np.mean(reference.argmax(1) == exported.argmax(1)))
    norms = np.linalg.norm(reference, axis=1) * np.linalg.norm(exported, axis=1)
    cosine = float(np.mean(np.sum(reference * exported, axis=1) / np.maximum(norms, 1e-12)))
    ordered = np.sort(reference, axis=1)
    margin = ordered[:, -1] - ordered[:, -2] if reference.shape[1] > 1 else np.zeros(len(reference))
    error = np.sqrt(np.mean((reference - exported) ** 2, axis=1))
    decisive = margin > 2 * error
    agree = reference.argmax(1) == exported.argmax(1)
    decisive_agreement = float(agree[decisive].mean()) if decisive.any() else None
    v = Verification(precision, len(reference), float(diff.max()), float(diff.mean()),
                     float(diff.max() / scale), top1, cosine, int(decisive.sum()), decisive_agreement, True)
    if not np.all(np.isfinite(exported)):
        v.passed, v.reason = False, "the exported model produced NaN or infinite outputs"
    elif precision in FLOAT_LIMITS:
        limit = FLOAT_LIMITS[precision] if limit is None else limit
        if v.relative_max_error > limit:
            v.passed = False
            v.reason = (f"max abs error {v.max_abs_error:.3g} is {v.relative_max_error:.2%} of the largest "
                        f"|{'logit' if logits else 'output'}| ({scale:.3g}), over the {limit:.1%} allowed for "
                        f"{precision}")
    else:
        min_cos = QUANT_LIMITS[precision]
        if cosine < min_cos:
            v.passed = False
            v.reason = f"cosine similarity {cosine:.3f} with the Keras model's outputs (needs >= {min_cos})"
        elif (decisive_agreement is not None and decisive_agreement < MIN_DECISIVE_AGREEMENT
              and int((decisive & ~agree).sum()) > 1):
            v.passed = False
            v.reason = (f"top-1 agreement {decisive_agreement:.0%} on the {v.decisive_images} images where the "
                        f"Keras model is decisive (needs >= {MIN_DECISIVE_AGREEMENT:.0%})")
    return v


def predict(model, images: np.ndarray) -> np.ndarray:
    """The model's outputs on ``images`` in inference mode, in calls of as many images as fit the activation
    budget (:func:`mobilecnn.profiling.images_per_call`: 16 images of EfficientNet-B7 would hold 62 GB)."""
    from mobilecnn.profiling import images_per_call

    step = images_per_call(model)
    return np.concatenate([np.asarray(model(images[i:i + step], training=False))
                           for i in range(0, len(images), step)])


def keras_logits(model, images: np.ndarray) -> np.ndarray:
    """The model's outputs before its final softmax.

    The last layer's activation is set to linear for one call and restored
    (a sub-model would clash with the names of a cloned, rewritten graph).
    """
    import keras

    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    if getattr(activation, "__name__", "") != "softmax":
        raise ValueError(f"{model.name} does not end in a softmax")
    last.activation = keras.activations.linear
    try:
        return predict(model, images)
    finally:
        last.activation = activation


def reference_outputs(model, images: np.ndarray, logits: bool) -> np.ndarray:
    """The model's logits (``logits`` and it ends in a softmax) or its outputs."""
    if logits:
        try:
            return keras_logits(model, images)
        except ValueError:
            pass
    return predict(model, images)


def check_rewrite(keras_model, graph, images: np.ndarray) -> Verification:
    """The graph rewritten for a precision (export/graph.py) against the model it came from, in float.

    Compared on logits when the model ends in a softmax (an untrained model's near-uniform probabilities
    would hide a wrong constant), within :data:`REWRITE_LIMIT` of the largest |logit|.
    """
    v = compare("float32", reference_outputs(keras_model, images, True), reference_outputs(graph, images, True),
                limit=REWRITE_LIMIT)
    v.precision, v.rewrite_relative_error = "float32 (rewritten graph)", v.relative_max_error
    if not v.passed:
        v.reason = f"the rewritten graph does not compute what the model computes: {v.reason}"
    return v


def verify(keras_model, model_content: bytes, images: np.ndarray, precision: str,
           rewritten=None) -> Verification:
    """Run ``images`` through the Keras model and the exported file.

    Exports are compared on logits when the model ends in a softmax: they are read
    from the file with LiteRT's built-in kernels (a tensor inside an XNNPACK
    partition is never written), whose arithmetic XNNPACK's matches to rounding.
    ``rewritten``, the graph the file was converted from when the precision
    rewrote it, is first compared with the model (:func:`check_rewrite`); a
    failure there is the verification's result.
    """
    from mobilecnn.export.runtime import TFLiteRunner

    rewrite = None
    if rewritten is not None and rewritten is not keras_model:
        rewrite = check_rewrite(keras_model, rewritten, images)
        if not rewrite.passed:
            rewrite.precision = precision
            return rewrite
    runner = TFLiteRunner(model_content=model_content, logits=True)
    if runner.reads_logits:
        try:
            reference = keras_logits(keras_model, images)
        except ValueError:
            runner = TFLiteRunner(model_content=model_content)
            reference = predict(keras_model, images)
    else:
        reference = predict(keras_model, images)
    v = compare(precision, reference, runner(images), logits=runner.reads_logits)
    v.rewrite_relative_error = None if rewrite is None else rewrite.relative_max_error
    if precision in ROUNDING_FACTOR and not v.passed and "NaN" not in v.reason:
        _allow_rounding(v, keras_model, images, reference, runner.reads_logits)
    return v


def _rounded(weights: list, precision: str, rng) -> list:
    """``weights`` rounded to float16 (``float16``), or each nudged one float32 step up or down (``float32``)."""
    def one(w):
        if not np.issubdtype(w.dtype, np.floating):
            return w
        if precision == "float16":
            return w.astype(np.float16).astype(w.dtype)
        return np.where(rng.random(w.shape) < 0.5, np.nextafter(w, np.inf), np.nextafter(w, -np.inf)).astype(w.dtype)
    return [one(w) for w in weights]


def rounding_error(keras_model, images: np.ndarray, reference: np.ndarray, logits: bool, precision: str) -> float:
    """How far the model's own outputs move with its weights rounded at ``precision`` (max abs change relative to
    the largest |reference|; for float32 the larger of two random one-step nudges); the weights are restored."""
    weights = keras_model.get_weights()
    rng = np.random.default_rng(0)
    scale = max(float(np.abs(reference).max()), 1e-12)
    moves = []
    try:
        for _ in range(1 if precision == "float16" else 2):
            keras_model.set_weights(_rounded(weights, precision, rng))
            rounded = reference_outputs(keras_model, images, logits)
            moves.append(float(np.abs(np.asarray(rounded, "float64") - reference).max() / scale))
    finally:
        keras_model.set_weights(weights)
    return max(moves)


def _allow_rounding(v: Verification, keras_model, images, reference, logits: bool) -> None:
    """Pass a float export whose error is what rounding its weights at that precision does to the model itself."""
    precision = v.precision
    rounding = rounding_error(keras_model, images, np.asarray(reference, "float64"), logits, precision)
    v.rounding_error = rounding
    factor, cap = ROUNDING_FACTOR[precision], MAX_ALLOWANCE[precision]
    what = "to float16" if precision == "float16" else "by one float32 step"
    if v.relative_max_error <= min(factor * rounding, cap):
        v.passed, v.reason = True, ""
    elif rounding * factor > cap:
        v.reason += (f"; rounding its weights {what} moves the model itself by {rounding:.2%}, so {precision} "
                     f"cannot be verified for it" + (" (use float32)" if precision == "float16" else ""))
    else:
        v.reason += (f"; rounding its weights {what} moves the model itself by only {rounding:.2g} of the largest "
                     f"|{'logit' if logits else 'output'}| (allowed: {factor:g}x that)")
