"""The Android demo's image pipeline in numpy: the reference its Kotlin twin (``android_demo/core``,
``Preprocess.kt`` and ``Postprocess.kt``) reproduces bit for bit.

An RGB photo (H x W x 3, uint8) becomes the model's input tensor in four steps, all in float64 in this order:

1. **Center crop** to the model's aspect ratio, in integers: for a photo wider than the model
   (``W * h > H * w``) the crop is ``cw = H * w // h`` columns from ``x0 = (W - cw) // 2``, all rows;
   otherwise ``ch = W * h // w`` rows from ``y0 = (H - ch) // 2``, all columns.
2. **Bilinear resize** of the crop to ``h x w``, half-pixel centres, no antialiasing: output column ``i``
   samples ``s = (i + 0.5) * cw / w - 0.5`` clamped to ``[0, cw - 1]``; ``j0 = floor(s)``,
   ``j1 = min(j0 + 1, cw - 1)``, ``f = s - j0``; rows likewise (``t``, ``k0``, ``k1``, ``g``). The value is
   ``(p[k0, j0] * (1 - f) + p[k0, j1] * f) * (1 - g) + (p[k1, j0] * (1 - f) + p[k1, j1] * f) * g``.
3. **Scale and offset** per channel: ``x = v * scale[c] + offset[c]`` (our models take [0, 255] pixels and
   normalize inside: scale 1, offset 0).
4. **To the tensor's type**: float32 by rounding to nearest; int8/uint8 by
   ``clip(rint(x / q_scale + zero_point), min, max)``, ``rint`` rounding half to even (Kotlin's ``Math.rint``).

Every step is one IEEE operation at a time in the same order on both sides (no fused multiply-add: numpy's
ufuncs and the JVM both round each operation), which is what makes the two agree exactly.

The output side: ``(q - zero_point) * q_scale`` in float64, a softmax (``exp(x - max) / sum``) unless the model
ends in one, and the top k by probability, ties to the lower class index.
"""

from __future__ import annotations

import numpy as np

INTEGER_TYPES = {"int8": np.int8, "uint8": np.uint8}


def crop_box(width: int, height: int, out_width: int, out_height: int) -> tuple[int, int, int, int]:
    """``(x0, y0, crop_width, crop_height)``: the largest centred region of the model's aspect ratio."""
    if width * out_height > height * out_width:
        crop = height * out_width // out_height
        return (width - crop) // 2, 0, crop, height
    crop = width * out_height // out_width
    return 0, (height - crop) // 2, width, crop


def _taps(out: int, crop: int, start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = np.clip((np.arange(out, dtype=np.float64) + 0.5) * crop / out - 0.5, 0.0, float(crop - 1))
    i0 = np.floor(s).astype(np.int64)
    return i0 + start, np.minimum(i0 + 1, crop - 1) + start, s - i0


def resize(image: np.ndarray, out_height: int, out_width: int, center_crop: bool = True) -> np.ndarray:
    """Steps 1-2: ``image`` (H x W x C, uint8) center-cropped (or not) and resized, as float64."""
    image = np.asarray(image)
    height, width = image.shape[:2]
    x0, y0, cw, ch = crop_box(width, height, out_width, out_height) if center_crop else (0, 0, width, height)
    c0, c1, f = _taps(out_width, cw, x0)
    r0, r1, g = _taps(out_height, ch, y0)
    p = image.astype(np.float64)
    f, g = f[None, :, None], g[:, None, None]
    top = p[r0][:, c0] * (1 - f) + p[r0][:, c1] * f
    bottom = p[r1][:, c0] * (1 - f) + p[r1][:, c1] * f
    return top * (1 - g) + bottom * g


def model_input(image: np.ndarray, info: dict, center_crop: bool = True, bgr: bool = False) -> np.ndarray:
    """The input tensor (1 x h x w x 3, the tensor's dtype) for an RGB ``image``, as ``model_info.json`` says.

    ``center_crop=False`` (stretch the whole photo) and ``bgr=True`` (channels reversed) are the two usual
    preprocessing mistakes, kept so tests can show that the comparison catches them.
    """
    _, height, width, _ = info["input"]["shape"]
    x = resize(image[..., ::-1] if bgr else image, height, width, center_crop)
    pre = info["preprocessing"]
    x = x * np.asarray(pre["scale"], np.float64) + np.asarray(pre["offset"], np.float64)
    dtype = info["input"]["dtype"]
    if dtype == "float32":
        return x.astype(np.float32)[None]
    q = info["input"]["quantization"]
    bounds = np.iinfo(INTEGER_TYPES[dtype])
    return np.clip(np.rint(x / q["scale"] + q["zero_point"]), bounds.min, bounds.max).astype(dtype)[None]


def probabilities(raw: np.ndarray, info: dict) -> np.ndarray:
    """Class probabilities (float64) from the raw output tensor: dequantized, and a softmax unless the model
    ends in one."""
    out = info["output"]
    x = np.asarray(raw).reshape(-1).astype(np.float64)
    if out["dtype"] != "float32":
        x = (x - out["quantization"]["zero_point"]) * out["quantization"]["scale"]
    if out["softmax"]:
        return x
    e = np.exp(x - x.max())
    return e / e.sum()


def top_k(probs: np.ndarray, k: int = 5) -> list[tuple[int, float]]:
    """The ``k`` most probable classes as ``(index, probability)``, ties to the lower index."""
    order = sorted(range(len(probs)), key=lambda i: (-probs[i], i))
    return [(i, float(probs[i])) for i in order[:k]]
