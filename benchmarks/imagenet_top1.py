"""Do the published ImageNet weights classify real photographs, in Keras and in each LiteRT export?

For each published weights file (a row of ``mobilecnn.weights.sources.PUBLISHED``): build the model with
``mobilecnn.build(name, weights="imagenet:SOURCE")`` (download into ``$MOBILECNN_CACHE``, checksum checked),
classify three of scikit-image's sample photographs whose ImageNet class is clear (a tabby cat, a cup of
espresso, a rocket on its launch pad; see ``PHOTOS``), each resized and centre-cropped as its source evaluates
(short side to ``resolution / crop_fraction`` with the row's interpolation, PIL, then a ``resolution`` crop),
then export the model to float32, float16 and int8 .tflite files and classify the same images in LiteRT's
interpreter. Counts the images whose top-1 (and top-5) class is one of the photo's acceptable classes, and how
often each export's top-1 is the Keras model's. int8 is calibrated on the same photos plus random crops of them,
and ranked on the logits its final softmax reads (as export/verify.py compares int8 exports: an int8
probability has a step of 1/256, which ties close classes).

What it measures is whether the weights load and compute end to end (wrong conventions, a mis-ported layer or a
broken export show as misses or disagreement), not accuracy: three photographs say nothing about the published
ImageNet top-1, which the table repeats only for reference.

It needs network access: the weights are downloaded on first use (from a few MB to about 550 MB a file). It was
not run in CI nor on the machine it was written on (neither has network access; there only ``--dry-run`` and the
path after the download, with random weights standing in, were run), so how long one row takes is unknown; each
row records its own seconds.

By default it checks, for each (model, source, build options), the first row that has a published checksum; rows
without one are listed and skipped. ``--include-unhashed`` tries those too: it downloads each with ``urllib``
into the cache folder itself (unverified, after a warning; the SHA-256 of what arrived goes into the results) and
builds from that file. The table is printed, and written to ``benchmarks/results/imagenet_top1.json`` (``--out``)
after every row, atomically, unless ``--no-save``, so an interrupted run keeps what it finished. A row that fails
(download, build, export) shows its error's first line and the run goes on; the exit status is 1 if any row
failed. A miss is not a failure: the table shows it.

    python benchmarks/imagenet_top1.py --dry-run                      # the rows and photos, no network
    python -m benchmarks.imagenet_top1 --model 'mobilenet-v3-*' --source keras.applications
    python -m benchmarks.imagenet_top1 --model resnet-50 --precisions float32 int8 --no-save
"""

from __future__ import annotations

import argparse
import fnmatch
import gc
import hashlib
import json
import math
import os
import re
import sys
import tempfile
import time
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from rich.markup import escape  # noqa: E402

from mobilecnn.weights.sources import PUBLISHED, SOURCES, Published  # noqa: E402

PRECISIONS = ("float32", "float16", "int8")
RESULTS = Path(__file__).parent / "results" / "imagenet_top1.json"
CALIBRATION_COUNT = 32
SEED = 0


@dataclass(frozen=True)
class Photo:
    """One of scikit-image's bundled photographs (no download) and the ImageNet classes it may be called."""

    name: str                  # the skimage.data function
    description: str
    accept: tuple[str, ...]    # ImageNet-1k class names (mobilecnn.imagenet_classes())


# skimage.data.astronaut() is left out: an astronaut in a space suit before a flag and a model of the shuttle has
# no one ImageNet class.
PHOTOS = (
    Photo("chelsea", "Chelsea the cat, a tabby (scikit-image)", ("tabby", "tiger cat", "Egyptian cat")),
    Photo("coffee", "a cup of espresso on a saucer, from above (scikit-image)", ("espresso", "cup", "coffee mug")),
    Photo("rocket", "a Falcon 9 on its launch pad at dusk (scikit-image)", ("missile", "projectile", "space shuttle")),
)


def accepted(photo: Photo) -> dict[int, str]:
    """The class indices ``photo`` may be called, by name (every index that carries the name)."""
    from mobilecnn.weights.labels import imagenet_classes

    names = imagenet_classes()
    found = {i: n for i, n in enumerate(names) if n in photo.accept}
    missing = sorted(set(photo.accept) - set(found.values()))
    if missing:
        raise RuntimeError(f"{photo.name}: no ImageNet class named {', '.join(map(repr, missing))}")
    return found


# ------------------------------------------------------------------------------------------------ which rows


def options_key(row: Published) -> tuple:
    return tuple(sorted(row.options.items()))


def select_rows(patterns: list[str] | None, sources: list[str] | None, include_unhashed: bool
                ) -> tuple[list[Published], list[Published]]:
    """(the rows to check, the first row of each group skipped for want of a checksum).

    A group is a (model, source, build options); its row is the first with a digest, or with
    ``include_unhashed`` and none having one, its first.
    """
    groups: dict[tuple, list[Published]] = {}
    for row in PUBLISHED:
        if patterns and not any(fnmatch.fnmatchcase(row.model, p) for p in patterns):
            continue
        if sources and row.source not in sources:
            continue
        groups.setdefault((row.model, row.source, options_key(row)), []).append(row)
    chosen, skipped = [], []
    for rows in groups.values():
        hashed = [row for row in rows if row.digest]
        if hashed:
            chosen.append(hashed[0])
        elif include_unhashed:
            chosen.append(rows[0])
        else:
            skipped.append(rows[0])
    return chosen, skipped


def build_options(row: Published) -> dict:
    """What ``mobilecnn.build`` is given for ``row`` (its options, at its evaluation resolution)."""
    return {**row.options, "resolution": row.resolution}


def loads_row(row: Published) -> str | None:
    """Why ``build(weights="imagenet:SOURCE")`` would load another row than ``row`` (None: it loads ``row``).

    Mirrors mobilecnn.weights.loading.plan_weights's choice; nothing is built or downloaded.
    """
    from mobilecnn import registry
    from mobilecnn.weights.loading import choose

    entry = registry.get(row.model)
    given = {k: v for k, v in row.options.items() if k != "resolution" and entry.options.get(k) != v}
    try:
        picked = choose(entry, row.source, given, row.resolution)
    except ValueError as err:
        return first_line(err)
    return None if picked is row else f"build would load {picked.source_name}, not {row.source_name}"


# ------------------------------------------------------------------------------------------------ images


RESAMPLE_NAMES = {"nearest": "NEAREST", "bilinear": "BILINEAR", "bicubic": "BICUBIC", "lanczos": "LANCZOS",
                  "box": "BOX", "hamming": "HAMMING"}


def resample(interpolation: str):
    from PIL import Image

    if interpolation not in RESAMPLE_NAMES:
        raise ValueError(f"unknown interpolation {interpolation!r}; known: {', '.join(RESAMPLE_NAMES)}")
    return getattr(Image.Resampling, RESAMPLE_NAMES[interpolation])


def resize_size(row: Published) -> int:
    """The short side before the crop: timm's ``floor(size / crop_pct)``, torchvision's ``resize_size``."""
    return math.floor(row.resolution / row.crop_fraction + 1e-6)


def evaluation_crop(photo: np.ndarray, row: Published) -> np.ndarray:
    """``photo`` as ``row``'s source evaluates it: short side resized, centre crop (torchvision's arithmetic)."""
    from PIL import Image

    image = Image.fromarray(photo)
    w, h = image.size
    short, long = min(w, h), max(w, h)
    size = resize_size(row)
    new_long = int(size * long / short)
    new_w, new_h = (size, new_long) if w <= h else (new_long, size)
    image = image.resize((new_w, new_h), resample(row.interpolation))
    crop = row.resolution
    top, left = int(round((new_h - crop) / 2.0)), int(round((new_w - crop) / 2.0))
    image = image.crop((left, top, left + crop, top + crop))
    return np.asarray(image, dtype="float32")


def random_crops(photo: np.ndarray, row: Published, count: int, rng) -> list[np.ndarray]:
    """``count`` random square crops of ``photo`` (a third to all of its short side, half of them mirrored)."""
    from PIL import Image

    image = Image.fromarray(photo)
    w, h = image.size
    out = []
    for _ in range(count):
        side = max(8, int(min(w, h) * rng.uniform(0.35, 1.0)))
        left, top = int(rng.integers(0, w - side + 1)), int(rng.integers(0, h - side + 1))
        crop = image.crop((left, top, left + side, top + side))
        if rng.random() < 0.5:
            crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        out.append(np.asarray(crop.resize((row.resolution,) * 2, resample(row.interpolation)), dtype="float32"))
    return out


def write_calibration(folder: Path, photos: list[np.ndarray], test_images: np.ndarray, row: Published,
                      count: int) -> int:
    """The int8 calibration images for ``row`` as PNG files in ``folder``: the test images, then random crops."""
    from PIL import Image

    rng = np.random.default_rng(SEED)
    extra = max(0, count - len(test_images))
    per = -(-extra // len(photos)) if extra else 0
    crops = [c for p in photos for c in random_crops(p, row, per, rng)][:extra]
    images = [*test_images, *crops][:count]
    for i, image in enumerate(images):
        Image.fromarray(np.clip(np.round(image), 0, 255).astype("uint8")).save(folder / f"calib_{i:03d}.png")
    return len(images)


def load_photos() -> list[np.ndarray]:
    import skimage.data

    return [np.asarray(getattr(skimage.data, photo.name)(), dtype="uint8")[..., :3] for photo in PHOTOS]


# ------------------------------------------------------------------------------------------------ one row


def first_line(err: BaseException | str) -> str:
    text = str(err).strip()
    line = text.splitlines()[0] if text else ""
    return f"{type(err).__name__}: {line}" if isinstance(err, BaseException) else line


def unverified_path(row: Published) -> Path:
    """Where ``--include-unhashed`` keeps ``row``'s file (timm's files are all called model.safetensors)."""
    from mobilecnn.weights.download import cache_dir

    name = re.sub(r"[^A-Za-z0-9._-]+", "_", row.source_name).strip("_")
    return cache_dir() / f"{row.source}-unverified-{name}-{row.filename}"


def download_unverified(row: Published, say, timeout: float = 60.0) -> tuple[Path, str]:
    """``row``'s file, downloaded without a checksum to check it against (once; reused after), and its SHA-256."""
    target = unverified_path(row)
    if not target.is_file():
        say(f"[yellow]warning:[/] {escape(row.source)} publishes no checksum for {escape(row.url)}; downloading it "
            f"UNVERIFIED to {escape(str(target))}")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(row.url, timeout=timeout) as response:
                length, received = response.headers.get("Content-Length"), 0
                while block := response.read(1 << 20):
                    out.write(block)
                    received += len(block)
            if length and length.isdigit() and received != int(length):
                raise OSError(f"{row.url}: received {received:,} of {length} bytes; nothing was kept")
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    digest = hashlib.sha256()
    with open(target, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return target, digest.hexdigest()


def build_model(row: Published, say) -> tuple[object, dict]:
    """The Keras model with ``row``'s weights, and what is known of the file."""
    import mobilecnn
    from mobilecnn.weights.loading import TORCH_FORMATS, conventions_of

    info: dict = {}
    if row.digest:
        model = mobilecnn.build(row.model, weights=f"imagenet:{row.source}", **build_options(row))
        loaded = getattr(model, "_mobilecnn_weights", None) or {}
        if loaded.get("source_name") != row.source_name:
            raise RuntimeError(f"build loaded {loaded.get('source_name')!r}, not {row.source_name!r}")
        info["file"] = loaded.get("file")
    else:
        path, sha256 = download_unverified(row, say)
        extra: dict = {}
        # As plan_weights does for a published row: PyTorch files and rows that name a mean bring conventions.
        if row.format in TORCH_FORMATS:
            extra["weights_source"] = row.source
        if row.format in TORCH_FORMATS or row.mean is not None:
            extra["conventions"] = conventions_of(row)
        model = mobilecnn.build(row.model, weights=str(path), **build_options(row), **extra)
        info.update(file=path.name, unverified_sha256=sha256)
    return model, info


def ranked(scores: np.ndarray, logits: bool) -> list[list[tuple[int, str, float]]]:
    """Top-5 (index, name, probability) per image; ``logits`` are turned into probabilities first."""
    from mobilecnn.weights.labels import decode_predictions

    scores = np.asarray(scores, dtype="float64")
    if logits:
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
    return decode_predictions(scores, top=5)


def score(top5: list[list[tuple[int, str, float]]], accepts: list[dict[int, str]]) -> dict:
    """Hits and the per-image predictions, for the JSON."""
    per_image = []
    for photo, best, ok in zip(PHOTOS, top5, accepts, strict=True):
        per_image.append({"image": photo.name, "top1": best[0][1], "hit1": best[0][0] in ok,
                          "hit5": any(i in ok for i, _, _ in best),
                          "top5": [[i, name, round(p, 4)] for i, name, p in best]})
    return {"top1_hits": sum(p["hit1"] for p in per_image), "top5_hits": sum(p["hit5"] for p in per_image),
            "images": len(per_image), "predictions": per_image}


def check_row(row: Published, precisions: list[str], photos: list[np.ndarray], accepts: list[dict[int, str]],
              calibration_count: int, status, say) -> dict:
    """Everything measured for ``row``; a failure is recorded in ``error`` (or a precision's), never raised."""
    import keras

    result: dict = {"model": row.model, "source": row.source, "source_name": row.source_name,
                    "options": dict(row.options), "resolution": row.resolution, "resize": resize_size(row),
                    "crop_fraction": row.crop_fraction, "interpolation": row.interpolation, "url": row.url,
                    "digest": row.digest, "published_top1": row.top1, "top1_source": row.top1_source,
                    "keras": None, "tflite": {}, "error": None, "seconds": {}}
    start = time.perf_counter()
    try:
        measure(row, precisions, photos, accepts, calibration_count, status, say, result)
    except Exception as err:  # any failure is the row's result
        result["error"] = first_line(err)
    finally:
        keras.backend.clear_session()   # the model is gone with measure's frame; free what Keras still holds
        gc.collect()
    result["seconds"]["total"] = round(time.perf_counter() - start, 1)
    return result


def measure(row: Published, precisions: list[str], photos: list[np.ndarray], accepts: list[dict[int, str]],
            calibration_count: int, status, say, result: dict) -> None:
    """Fill ``result``: build, Keras, then each precision (whose failure is recorded there and skipped)."""
    from mobilecnn.export.pipeline import export_model
    from mobilecnn.export.runtime import TFLiteRunner

    images = np.stack([evaluation_crop(p, row) for p in photos])
    status("download + build")
    t0 = time.perf_counter()
    model, info = build_model(row, say)
    result.update(info)
    result["seconds"]["build"] = round(time.perf_counter() - t0, 1)
    status("Keras")
    keras_top5 = ranked(np.asarray(model(images, training=False)), logits=False)
    result["keras"] = score(keras_top5, accepts)
    keras_top1 = [best[0][0] for best in keras_top5]
    with tempfile.TemporaryDirectory(prefix="imagenet_top1_") as tmp:
        calib_dir, calib_count = None, 0
        for precision in precisions:
            status(f"export {precision}")
            t0 = time.perf_counter()
            try:
                if precision == "int8" and calib_dir is None:
                    calib_dir = Path(tmp) / "calibration"
                    calib_dir.mkdir()
                    calib_count = write_calibration(calib_dir, photos, images, row, calibration_count)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exported = export_model(
                        model, precision, calibration=calib_dir if precision == "int8" else None,
                        calibration_count=max(calib_count, 1), recalibrate=False, verify=False,
                        check_delegates=False, gpu=False)
                status(f"LiteRT {precision}")
                runner = TFLiteRunner(model_content=exported.model_content, logits=precision == "int8")
                top5 = ranked(runner(images), logits=runner.reads_logits)
                entry = score(top5, accepts)
                entry.update(agree=sum(best[0][0] == k for best, k in zip(top5, keras_top1, strict=True)),
                             size=exported.size, ranked_on="logits" if runner.reads_logits else "probabilities")
                if precision == "int8":
                    entry["calibration_images"] = calib_count
            except Exception as err:
                entry = {"error": first_line(err)}
                result["error"] = result["error"] or f"{precision}: {entry['error']}"
            entry["seconds"] = round(time.perf_counter() - t0, 1)
            result["tflite"][precision] = entry


# ------------------------------------------------------------------------------------------------ output


def hits(entry: dict | None) -> str:
    if not entry or "top1_hits" not in entry:
        return "[red]error[/]" if entry else "-"
    text = f"{entry['top1_hits']}/{entry['images']} (top-5 {entry['top5_hits']})"
    return text if entry["top1_hits"] == entry["images"] else f"[yellow]{text}[/]"


def precision_cell(entry: dict | None) -> str:
    if not entry or "top1_hits" not in entry:
        return hits(entry)
    return f"{hits(entry)}, agree {entry['agree']}/{entry['images']}"


def table(rows: list[dict], precisions: list[str]):
    from rich.table import Table

    t = Table(title="ImageNet weights on scikit-image's photographs: top-1 hits / images",
              caption="top-5: images with an acceptable class in the top 5; agree: the export's top-1 is Keras'")
    t.add_column("model")
    t.add_column("source")
    t.add_column("weights", overflow="fold")
    t.add_column("published top-1", justify="right")
    t.add_column("Keras")
    for precision in precisions:
        t.add_column(precision)
    t.add_column("s", justify="right")
    t.add_column("error")
    for r in rows:
        top1 = "-" if r["published_top1"] is None else f"{r['published_top1']:.1f}%"
        t.add_row(escape(r["model"]), escape(r["source"]), escape(r["source_name"]), top1, hits(r["keras"]),
                  *[precision_cell(r["tflite"].get(p)) for p in precisions],
                  f"{r['seconds'].get('total', 0):.0f}", f"[red]{escape(r['error'])}[/]" if r["error"] else "")
    return t


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("mobilecnn", "tensorflow", "keras", "ai-edge-litert", "pillow", "scikit-image"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def save(path: Path, report: dict) -> None:
    from mobilecnn.export.files import write_atomic  # a temp file beside it, then os.replace

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(report, indent=2) + "\n")


def describe(row: Published) -> str:
    options = ", ".join(f"{k}={v}" for k, v in row.options.items()) or "default options"
    top1 = "no published top-1" if row.top1 is None else f"published top-1 {row.top1}%"
    return (f"{row.model} from {row.source}: {row.source_name} ({options}); short side to {resize_size(row)} "
            f"({row.interpolation}), crop {row.resolution}; {top1}")


def dry_run(console, rows: list[Published], skipped: list[Published], precisions: list[str]) -> int:
    console.print(f"[bold]{len(rows)} row(s) to check[/] (precisions: {', '.join(precisions)}):")
    for i, row in enumerate(rows, 1):
        console.print(f"{i:3d}. {describe(row)}", highlight=False, soft_wrap=True, markup=False)
        digest = escape(row.digest) or "[yellow]no checksum: downloaded unverified (--include-unhashed)[/]"
        console.print(f"     {escape(row.url)}\n     {digest}", highlight=False, soft_wrap=True)
        problem = loads_row(row) if row.digest else None
        if problem:
            console.print(f"     [red]{escape(problem)}[/]", highlight=False, soft_wrap=True)
    if skipped:
        console.print(f"\n[bold]{len(skipped)} skipped[/] (no published checksum; --include-unhashed to try them):")
        for row in skipped:
            console.print(f"     {row.model} from {row.source}: {row.source_name}", highlight=False, soft_wrap=True,
                          markup=False)
    console.print("\n[bold]Test images[/] (a hit: the top-1 class is one of these):")
    for photo, array, ok in zip(PHOTOS, load_photos(), map(accepted, PHOTOS), strict=True):
        classes = ", ".join(f"{i} {name}" for i, name in ok.items())
        console.print(f"     skimage.data.{photo.name}() {array.shape[1]}x{array.shape[0]}: {photo.description}; "
                      f"{classes}", highlight=False, soft_wrap=True, markup=False)
    console.print("\ndry run: nothing downloaded, built or written")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", nargs="+", metavar="PATTERN", help="model names (fnmatch patterns, e.g. 'resnet-*')")
    p.add_argument("--source", nargs="+", choices=SOURCES, help="only these weights sources")
    p.add_argument("--precisions", nargs="+", choices=PRECISIONS, default=list(PRECISIONS))
    p.add_argument("--include-unhashed", action="store_true",
                   help="also rows without a published checksum, downloaded unverified into the cache")
    p.add_argument("--calibration-count", type=int, default=CALIBRATION_COUNT,
                   help="int8 calibration images: the test photos plus random crops of them")
    p.add_argument("--cache", type=Path, help="weights cache folder (sets $MOBILECNN_CACHE)")
    p.add_argument("--out", type=Path, default=RESULTS)
    p.add_argument("--no-save", action="store_true", help="print the table only")
    p.add_argument("--dry-run", action="store_true",
                   help="list the rows and the test images, then exit: no network, nothing built")
    args = p.parse_args(argv)
    if args.calibration_count < 1:
        p.error("--calibration-count must be at least 1")
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=240)   # a file or pipe: do not squeeze the table into 80 columns
    rows, skipped = select_rows(args.model, args.source, args.include_unhashed)
    if not rows and not skipped:
        p.error(f"no published weights match --model {args.model} --source {args.source}")
    precisions = [x for x in PRECISIONS if x in args.precisions]
    if args.dry_run:
        return dry_run(console, rows, skipped, precisions)
    if args.cache is not None:
        from mobilecnn.weights.download import CACHE_ENV

        os.environ[CACHE_ENV] = str(args.cache)
    if skipped:
        console.print(f"{len(skipped)} row(s) without a published checksum skipped (--include-unhashed to try "
                      f"them): {', '.join(f'{r.model} {r.source_name}' for r in skipped)}", highlight=False,
                      markup=False)
    if not rows:
        return 0
    accepts = [accepted(photo) for photo in PHOTOS]
    photos = load_photos()
    report = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "versions": versions(), "precisions": precisions,
              "images": [{"name": ph.name, "description": ph.description, "accept": ok}
                         for ph, ok in zip(PHOTOS, accepts, strict=True)],
              "rows": []}
    from importlib.metadata import version

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    # The download bar (mobilecnn.weights.download) is a second live display; rich nests them from 14.0 on.
    nested = int(version("rich").split(".")[0]) >= 14
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), disable=not nested, transient=True) as progress:
        task = progress.add_task("rows", total=len(rows))
        for row in rows:
            label = f"{row.model} from {row.source}: {row.source_name}"

            def status(stage: str, label=label) -> None:
                progress.update(task, description=escape(f"{label}: {stage}"))

            result = check_row(row, precisions, photos, accepts, args.calibration_count, status,
                               progress.console.print)
            report["rows"].append(result)
            keras_result = result["keras"] or {}
            seen = ", ".join(f"{p['image']}: {p['top1']}{'' if p['hit1'] else ' (miss)'}"
                             for p in keras_result.get("predictions", []))
            progress.console.print(f"{label}: {result['error'] or 'ok'} ({result['seconds']['total']:.0f} s)"
                                   + (f"; Keras top-1 {seen}" if seen else ""), highlight=False, markup=False,
                                   soft_wrap=True)
            if not args.no_save:
                save(args.out, report)
            progress.advance(task)
    console.print(table(report["rows"], precisions))
    if not args.no_save:
        console.print(f"written to {args.out}", highlight=False)
    return 1 if any(r["error"] for r in report["rows"]) else 0


if __name__ == "__main__":
    sys.exit(main())
