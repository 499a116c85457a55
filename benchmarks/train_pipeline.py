"""Peak memory and speed of one training epoch on image folders of growing size: the streaming pipeline.

Generates folders of real-looking JPEGs (random crops, 256–512 px a side, of ten of scikit-image's sample
photographs: one photograph per class, flipped at random, JPEG quality 90), then trains one epoch of
MobileNet V3-Small at 224x224 on each (``mobilecnn.train`` on the folder's streaming pipeline: random
resized crops and flips, batch 64), each run in a process of its own, and reports the process's peak
resident memory (``ru_maxrss``), the images per second of the epoch (after its first, tracing step) and
the input pipeline's share of step time (:func:`mobilecnn.training.progress_callback`). Before the
pipeline, ``mobilecnn train DIR`` read every image into one float32 array: 50,000 at 224 px are 30 GB.

The largest folder is generated once; the smaller ones are hard links to its first files (class by
class), so the sizes share their disk. Writes ``benchmarks/results/train_pipeline.json`` and prints the
README's table.

    python -m benchmarks.train_pipeline                                  # 1,000, 10,000 and 50,000 images
    python -m benchmarks.train_pipeline --sizes 1000 10000 --root /data/bench --threads 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry", "retina",
          "colorwheel", "camera", "brick")
CLASSES = len(PHOTOS)
RESULTS = Path(__file__).parent / "results" / "train_pipeline.json"
MODEL, RESOLUTION, BATCH = "mobilenet-v3-small", 224, 64


def _photo(name: str):
    """The photograph as RGB, its shorter side at least 512 px (so every crop size fits)."""
    import numpy as np
    import skimage.data
    from PIL import Image

    image = Image.fromarray(np.asarray(getattr(skimage.data, name)())).convert("RGB")
    scale = max(1.0, 512 / min(image.size))
    return image.resize((round(image.size[0] * scale), round(image.size[1] * scale)), Image.BICUBIC)


def _write_class(args: tuple[int, int, str]) -> None:
    import numpy as np
    from PIL import Image

    label, count, root = args
    rng = np.random.default_rng(label)
    photo = _photo(PHOTOS[label])
    folder = Path(root) / PHOTOS[label]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        path = folder / f"{i:06d}.jpg"
        if path.exists():
            continue
        w, h = (int(v) for v in rng.integers(256, 513, 2))
        left, top = int(rng.integers(0, photo.size[0] - w + 1)), int(rng.integers(0, photo.size[1] - h + 1))
        crop = photo.crop((left, top, left + w, top + h))
        if rng.random() < 0.5:
            crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
        tmp = path.with_suffix(".tmp")
        crop.save(tmp, "JPEG", quality=90)
        os.replace(tmp, path)


def generate(root: Path, sizes: list[int], processes: int) -> dict[int, Path]:
    """``root/<n>/<class>/*.jpg`` for each size ``n`` (n / 10 per class); the largest written, the rest linked."""
    from multiprocessing import Pool

    largest = max(sizes)
    full = root / str(largest)
    with Pool(processes) as pool:
        pool.map(_write_class, [(label, largest // CLASSES, str(full)) for label in range(CLASSES)])
    folders = {largest: full}
    for n in sizes:
        if n == largest:
            continue
        folder = root / str(n)
        for name in PHOTOS:
            (folder / name).mkdir(parents=True, exist_ok=True)
            for i in range(n // CLASSES):
                link = folder / name / f"{i:06d}.jpg"
                if not link.exists():
                    os.link(full / name / f"{i:06d}.jpg", link)
        folders[n] = folder
    return folders


def run_epoch(folder: str, seed: int = 0) -> dict:
    """One epoch on ``folder`` (in this process); the figures as a dict."""
    import resource

    import mobilecnn
    from mobilecnn import data
    from mobilecnn.training import progress_callback, train

    start = time.perf_counter()
    images = data.image_folder(folder, (RESOLUTION, RESOLUTION, 3), seed=seed)
    listed = time.perf_counter() - start
    model = mobilecnn.build(MODEL, num_classes=images.num_classes)
    logs = []
    callback = progress_callback(model, on_batch=lambda e, b, log: logs.append(log), batch_size=BATCH)
    start = time.perf_counter()
    history = train(model, images.training_data(BATCH, seed=seed), epochs=1, batch_size=BATCH, learning_rate=1e-3,
                    callbacks=[callback], seed=seed)
    seconds = time.perf_counter() - start
    last = logs[-1]
    return {"images": images.train_count + images.test_count, "train_images": images.train_count,
            "steps": len(logs), "list_and_scan_s": round(listed, 1), "epoch_s": round(seconds, 1),
            "images_per_second": round(last["images_per_second"], 1),
            "input_share": round(last["input_share"], 3), "loss": float(history.history["loss"][-1]),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def table(rows: list[dict]) -> str:
    lines = ["| images in the folder | training images | peak RSS | images/s | input pipeline's share of step time "
             "| epoch | list + scan |", "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['images']:,} | {r['train_images']:,} | {r['peak_rss_mb']:,.0f} MB | "
                     f"{r['images_per_second']:.1f} | {r['input_share']:.0%} | {r['epoch_s']:.0f} s | "
                     f"{r['list_and_scan_s']:.0f} s |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    p.add_argument("--root", type=Path, default=Path("/tmp/mobilecnn-train-pipeline"),
                   help="where the JPEG folders are generated (kept for the next run)")
    p.add_argument("--processes", type=int, default=2, help="processes writing the JPEGs")
    p.add_argument("--run", metavar="DIR", help=argparse.SUPPRESS)   # one epoch in this process (the child)
    args = p.parse_args(argv)
    if args.run:
        print(json.dumps(run_epoch(args.run)))
        return 0
    start = time.perf_counter()
    folders = generate(args.root, sorted(args.sizes), args.processes)
    print(f"folders ready in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    rows = []
    for n in sorted(args.sizes):
        proc = subprocess.run([sys.executable, "-m", "benchmarks.train_pipeline", "--run", str(folders[n])],
                              capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"{n}: {rows[-1]}", file=sys.stderr)
    low, high = min(r["peak_rss_mb"] for r in rows), max(r["peak_rss_mb"] for r in rows)
    result = {"model": MODEL, "resolution": RESOLUTION, "batch_size": BATCH, "cpu_count": os.cpu_count(),
              "rows": rows, "peak_rss_spread": round(high / low - 1, 3)}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(table(rows))
    print(f"\npeak RSS spread across sizes: {result['peak_rss_spread']:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
