"""``mobilecnn.train``: Keras ``fit`` with the usual callbacks, for float training and QAT fine-tuning.

One function trains either flavour: a Keras 3 model from ``mobilecnn.build``
(float) or the tf_keras model from ``mobilecnn.qat`` (quantization-aware
fine-tuning); it compiles with that flavour's optimizer, loss and callbacks.
Adam with cosine learning-rate decay over the run, sparse categorical
cross-entropy (from logits when the model has no softmax), accuracy.

Distribution is ``tf.distribute``: pass a strategy, and build the model (and
call ``mobilecnn.qat``) inside ``strategy.scope()``, as TensorFlow requires.
:func:`strategy_from_environment` picks ``MultiWorkerMirroredStrategy`` when
``TF_CONFIG`` names several workers (run the same script on each machine),
``MirroredStrategy`` when there are several GPUs, and none otherwise. The
batch size is global: each of N replicas computes ``batch_size / N`` images.
Keras 3's ``fit`` needs three fixes under multi-worker training
(:func:`keras_multi_worker_fixes`, :func:`clip_after_all_reduce`); with them
the workers train the model one process would. Only the chief writes files
(:func:`is_chief`, :func:`backup_and_restore`). TensorFlow's gRPC server for
the workers listens on every address of the machine (``0.0.0.0``) whatever
host ``TF_CONFIG`` names: keep the ports behind a firewall, or run the workers
in a network namespace of their own.

Reproducibility: ``seed`` seeds Python, NumPy, TensorFlow and Keras
(``set_random_seed``), the shuffling and the augmentation; ``deterministic``
(on by default) also turns on TensorFlow's op determinism for the run
(:func:`op_determinism`), so the same seed gives the same weights, bit for bit,
on the same machine and TensorFlow build.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Callable, Sequence

import numpy as np

from mobilecnn.flavours import flavour_of, keras_module

STRATEGIES = ("auto", "none", "mirrored", "multi-worker")


def strategy_from_environment(kind: str = "auto"):
    """A ``tf.distribute`` strategy by name; ``"auto"`` chooses from ``TF_CONFIG`` and the visible GPUs.

    Returns None for no distribution (TensorFlow's default strategy).
    """
    import tensorflow as tf

    if kind not in STRATEGIES:
        raise ValueError(f"unknown distribution strategy {kind!r}; choose one of {', '.join(STRATEGIES)}")
    if kind == "none":
        return None
    if kind == "auto":
        config = json.loads(os.environ.get("TF_CONFIG") or "{}")
        workers = config.get("cluster", {}).get("worker", [])
        if len(workers) > 1:
            kind = "multi-worker"
        elif len(tf.config.list_logical_devices("GPU")) > 1:
            kind = "mirrored"
        else:
            return None
    if kind == "multi-worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.MirroredStrategy()


@contextlib.contextmanager
def op_determinism(enabled: bool = True):
    """TensorFlow's op determinism (``tf.config.experimental.enable_op_determinism``) inside the block.

    The switch is process-wide; it is turned off again after the block if it was off before (TensorFlow's
    ``disable_op_determinism`` is not exported, so it is reached in ``tensorflow.python.framework.config``). Ops
    without a deterministic kernel raise under it (on GPUs, e.g. some scatter and segment reductions):
    pass ``deterministic=False`` to :func:`train` or :func:`mobilecnn.job.run_job` for such a model.
    """
    import tensorflow as tf
    from tensorflow.python.framework import config as tf_config

    turn_on = enabled and not tf_config.is_op_determinism_enabled()
    if turn_on:
        tf.config.experimental.enable_op_determinism()
    try:
        yield
    finally:
        if turn_on:
            tf_config.disable_op_determinism()


def _check_scope(model, strategy) -> None:
    variables = model.weights
    if not variables:
        return
    v = variables[0]
    v = getattr(v, "value", v) if flavour_of(model) == "keras" else v
    if not strategy.extended.variable_created_in_scope(v):
        raise ValueError(f"{model.name} was not built under this strategy: build it (and call mobilecnn.qat) "
                         "inside `with strategy.scope():`")


def ends_in_softmax(model) -> bool:
    """Whether the model outputs probabilities (its last layer's activation is softmax)."""
    record = getattr(model, "_mobilecnn_build", None)
    if record is not None:  # built by mobilecnn.build (or made by mobilecnn.qat from such a model)
        return record.options.get("classifier_activation", "softmax") == "softmax"
    layer = model.layers[-1]
    layer = getattr(layer, "layer", layer)  # tfmot's QuantizeWrapper
    activation = getattr(layer, "activation", None)
    activation = getattr(activation, "activation", activation)  # tfmot's QuantizeAwareActivation
    return getattr(activation, "__name__", None) == "softmax"


def random_shift(images, labels, max_shift: int, seed: int = 0):
    """Each image moved by up to ``max_shift`` pixels in each direction (zero fill): pad, then crop at random.

    The usual augmentation for small images (CIFAR's "pad 4, random crop").
    Mapped over a batched dataset, one crop position per image.
    """
    import tensorflow as tf

    shape = tf.shape(images)
    padded = tf.pad(images, [[0, 0], [max_shift, max_shift], [max_shift, max_shift], [0, 0]])
    offsets = tf.random.stateless_uniform((shape[0], 2), seed=(seed, 0) if isinstance(seed, int) else seed,
                                          maxval=2 * max_shift + 1, dtype=tf.int32)
    rows = offsets[:, 0:1] + tf.range(shape[1])[None, :]        # (N, H)
    cols = offsets[:, 1:2] + tf.range(shape[2])[None, :]        # (N, W)
    shifted = tf.gather(padded, rows, axis=1, batch_dims=1)
    shifted = tf.gather(shifted, cols, axis=2, batch_dims=1)
    return shifted, labels


def as_dataset(data, batch_size: int, *, shuffle: bool, seed: int = 0, max_shift: int = 0):
    """A batched ``tf.data.Dataset`` from ``(images, labels)`` arrays (a dataset passes through).

    ``max_shift`` > 0 moves each training image by a random offset of up to
    that many pixels (:func:`random_shift`), drawn anew every epoch.
    """
    import tensorflow as tf

    if isinstance(data, tf.data.Dataset):
        return _batched(data, batch_size)
    try:
        x, y = data
    except (TypeError, ValueError) as err:
        raise ValueError("training data must be an (images, labels) pair of arrays or a batched "
                         f"tf.data.Dataset, got {type(data).__name__}") from err
    x, y = np.asarray(x, "float32"), np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"need as many labels as images (and some of each), got {len(x)} images and {len(y)} labels")
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    options = tf.data.Options()
    # In-memory data: each worker takes every N-th batch (file sharding does not apply).
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    ds = ds.batch(batch_size).with_options(options)
    if max_shift:
        if x.ndim != 4:
            raise ValueError(f"max_shift applies to (N, H, W, C) images, got shape {x.shape}")
        # A fresh stateless seed per batch and epoch, reproducible from ``seed``.
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        ds = tf.data.Dataset.zip((ds, seeds)).map(
            lambda batch, s: random_shift(batch[0], batch[1], max_shift, seed=s), num_parallel_calls=1)
    return ds.prefetch(tf.data.AUTOTUNE)


def _batched(ds, batch_size: int):
    """A dataset of ``(images, labels)`` as it is if batched, else batched by ``batch_size``."""
    spec = ds.element_spec
    if not isinstance(spec, tuple) or len(spec) < 2:
        raise ValueError(f"a training or validation dataset must give (images, labels) pairs, got elements {spec}")
    rank = spec[0].shape.rank
    if rank == 3:
        return ds.batch(batch_size)
    if rank != 4:
        raise ValueError(f"dataset images must be (height, width, channels) or batches of them, got shape "
                         f"{spec[0].shape}")
    return ds


def _soft_labels(ds, model) -> bool:
    """Whether the batches' labels are rows of class weights (one-hot, mixed), not class indices."""
    labels = ds.element_spec[1]
    classes = int(model.outputs[0].shape[-1])
    if labels.shape.rank == 2 and labels.shape[-1] not in (None, 1):
        if labels.shape[-1] != classes:
            raise ValueError(f"label rows have {labels.shape[-1]} entries but {model.name} has {classes} outputs")
        return True
    return False


def progress_callback(model, on_batch: Callable[[int, int, dict], None] | None = None,
                      on_epoch: Callable[[int, dict], None] | None = None, *, batch_size: int | None = None):
    """A callback of the model's Keras flavour calling ``on_batch(epoch, batch, logs)`` / ``on_epoch(epoch, logs)``.

    The batch logs also carry the run's speed, over the steps so far (the first, which traces the step, left
    out): ``images_per_second`` (with ``batch_size``), ``eta_seconds`` (the steps left at the mean step time)
    and ``input_share``, the fraction of step time spent waiting for the input pipeline: from the end of one
    step to the moment the next batch left the pipeline (:class:`mobilecnn.pipeline.InputClock`, which
    :func:`train` attaches as ``input_clock``).
    """
    import time

    k = keras_module(flavour_of(model))

    class Progress(k.callbacks.Callback):
        epoch = 0
        input_clock = None

        def on_train_begin(self, logs=None):
            self.last_end, self.traced = None, False
            self.steps_done, self.step_time, self.wait_time = 0, 0.0, 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_begin(self, batch, logs=None):
            if self.last_end is None or batch == 0:   # not the time between epochs (validation)
                self.last_end = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            now = time.perf_counter()
            logs = dict(logs or {})
            if self.traced:   # the first step traces the step function: left out
                step = now - self.last_end
                stamp = self.input_clock.last() if self.input_clock is not None else None
                wait = min(step, max(0.0, stamp - self.last_end)) if stamp is not None else 0.0
                self.steps_done, self.step_time, self.wait_time = (self.steps_done + 1, self.step_time + step,
                                                                   self.wait_time + wait)
            self.traced, self.last_end = True, now
            if self.steps_done:
                mean = self.step_time / self.steps_done
                steps = self.params.get("steps") or 0
                left = steps * (self.params.get("epochs", 1) - self.epoch) - batch - 1 if steps else 0
                logs["eta_seconds"] = max(0, left) * mean
                if self.input_clock is not None:
                    logs["input_share"] = self.wait_time / self.step_time
                if batch_size:
                    logs["images_per_second"] = batch_size / mean
            if on_batch is not None:
                on_batch(self.epoch, batch, logs)

        def on_epoch_end(self, epoch, logs=None):
            if on_epoch is not None:
                on_epoch(epoch, dict(logs or {}))

    return Progress()


def train(model, train_data, *, epochs: int, validation_data=None, batch_size: int = 64,
          learning_rate: float = 1e-3, weight_decay: float = 0.0, strategy=None, callbacks: Sequence = (),
          checkpoint: str | os.PathLike | None = None, backup_dir: str | os.PathLike | None = None,
          early_stopping_patience: int | None = None, batchnorm_momentum: float | None = 0.9, seed: int = 0,
          max_shift: int = 0, warmup_epochs: float = 0.0, clipnorm: float | None = None,
          deterministic: bool = True, delete_backup: bool = True, verbose: int | str = 0):
    """Compile ``model`` and ``fit`` it; return Keras' ``History``.

    ``train_data`` and ``validation_data`` are ``(images, labels)`` arrays
    (shuffled with ``seed``, batched by ``batch_size``) or any
    ``tf.data.Dataset`` of ``(images, labels)`` (taken as it is; batched by
    ``batch_size`` if its elements are single images), e.g. a folder's
    streaming pipeline (:meth:`mobilecnn.data.FolderData.training_data`).
    Labels are class indices, or one-hot / mixed rows (mixup, cutmix: the
    loss is then categorical cross-entropy). ``max_shift`` > 0 augments array training
    data with random shifts of up to that many pixels. Callbacks: ``TerminateOnNaN`` always;
    ``EarlyStopping`` (restoring the best weights) with
    ``early_stopping_patience``; ``ModelCheckpoint`` of the best weights to
    ``checkpoint`` (a ``.weights.h5`` path); ``BackupAndRestore`` to
    ``backup_dir`` (:func:`backup_and_restore`: the weights, optimizer state and epoch after every epoch,
    written atomically by the chief only; a rerun resumes from the last saved epoch; ``delete_backup`` removes
    them when training ends); then ``callbacks``.

    ``batchnorm_momentum`` applies to every batch norm for this run (None
    keeps the model's). Momenta meant for ImageNet-length runs leave the
    moving statistics near their initial values (mean 0, variance 1) after a
    short one: MobileNet V3's 0.999 keeps 72% of the start after 330 steps,
    and the model then fails in inference mode however well it trained. 0.9
    (PyTorch's default) follows the weights within a few dozen steps.

    ``deterministic`` runs ``fit`` under TensorFlow's op determinism (:func:`op_determinism`).
    """
    import tensorflow as tf

    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    if checkpoint is not None and not os.fspath(checkpoint).endswith(".weights.h5"):
        raise ValueError(f"checkpoint must be a .weights.h5 path, got {os.fspath(checkpoint)!r}")
    for label, data in (("training", train_data), ("validation", validation_data)):
        if data is not None and not isinstance(data, tf.data.Dataset):
            _check_arrays(model, data, label)
    k = keras_module(flavour_of(model))
    strategy = strategy or tf.distribute.get_strategy()
    _check_scope(model, strategy)

    if isinstance(max_shift, bool) or not isinstance(max_shift, int) or max_shift < 0:
        raise ValueError(f"max_shift must be a non-negative integer, got {max_shift!r}")
    if max_shift and isinstance(train_data, tf.data.Dataset):
        raise ValueError("max_shift augments (images, labels) arrays; augment a tf.data.Dataset in its own pipeline")
    dataset = as_dataset(train_data, batch_size, shuffle=True, seed=seed, max_shift=max_shift)
    validation = None if validation_data is None else as_dataset(validation_data, batch_size, shuffle=False)
    soft = _soft_labels(dataset, model)
    if soft and validation is not None and not _soft_labels(validation, model):
        classes = int(model.outputs[0].shape[-1])
        validation = validation.map(lambda x, y: (x, tf.one_hot(tf.cast(tf.reshape(y, [-1]), tf.int32), classes)))
    from mobilecnn.pipeline import InputClock, timed

    clock = InputClock()
    batches = int(dataset.cardinality())
    dataset = timed(dataset, clock)
    for callback in callbacks:
        if hasattr(callback, "input_clock"):
            callback.input_clock = clock
    total_steps = max(1, batches * epochs) if batches > 0 else max(1, epochs * 1000)
    with strategy.scope():
        warmup = min(int(round(warmup_epochs * max(batches, 1))), total_steps // 2) if warmup_epochs else 0
        schedule = k.optimizers.schedules.CosineDecay(
            learning_rate / 100 if warmup else learning_rate, decay_steps=total_steps - warmup, alpha=0.01,
            warmup_target=learning_rate if warmup else None, warmup_steps=warmup)
        optimizer = (k.optimizers.AdamW(schedule, weight_decay=weight_decay, clipnorm=clipnorm) if weight_decay
                     else k.optimizers.Adam(schedule, clipnorm=clipnorm))
        loss = (k.losses.CategoricalCrossentropy if soft else k.losses.SparseCategoricalCrossentropy)(
            from_logits=not ends_in_softmax(model))
        if flavour_of(model) == "keras" and is_multi_worker(strategy):
            clip_after_all_reduce(optimizer)
        model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])

    monitor = "val_accuracy" if validation is not None else "accuracy"
    usual = [k.callbacks.TerminateOnNaN()]
    if early_stopping_patience is not None:
        usual.append(k.callbacks.EarlyStopping(monitor=monitor, mode="max", patience=early_stopping_patience,
                                               restore_best_weights=True))
    if checkpoint is not None:
        usual.append(k.callbacks.ModelCheckpoint(os.fspath(checkpoint), monitor=monitor, mode="max",
                                                 save_best_only=True, save_weights_only=True))
    if backup_dir is not None:
        usual.append(backup_and_restore(model, backup_dir, strategy, delete=delete_backup))
    k.utils.set_random_seed(seed)
    with (batchnorm_momentum_set(model, batchnorm_momentum), op_determinism(deterministic),
          keras_multi_worker_fixes(model, strategy)):
        return model.fit(dataset, epochs=epochs, validation_data=validation, callbacks=[*usual, *callbacks],
                         shuffle=False, verbose=verbose)  # the dataset is shuffled (with the seed) already


def is_multi_worker(strategy) -> bool:
    """Whether ``strategy`` spans several processes (``MultiWorkerMirroredStrategy`` with more than one worker)."""
    import tensorflow as tf

    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and getattr(strategy.extended, "_num_workers", 1) > 1)


def is_chief(strategy=None) -> bool:
    """Whether this process writes the run's files: always without a multi-worker strategy; else the ``chief``
    task of ``TF_CONFIG``, or worker 0 where the cluster names no chief (TensorFlow's convention)."""
    if strategy is None or not is_multi_worker(strategy):
        return True
    resolver = strategy.cluster_resolver
    task_type, task_id = resolver.task_type, resolver.task_id
    if task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return task_type in (None, "worker") and not has_chief and (task_id or 0) == 0


def worker_name(strategy=None) -> str:
    """``"worker 1 of 2"``: this task as ``TF_CONFIG`` names it (``""`` without a multi-worker strategy)."""
    if strategy is None or not is_multi_worker(strategy):
        return ""
    resolver = strategy.cluster_resolver
    return f"{resolver.task_type} {resolver.task_id} of {strategy.extended._num_workers}"


@contextlib.contextmanager
def keras_multi_worker_fixes(model, strategy):
    """Work around three faults of Keras 3's ``fit`` (and ``evaluate``) under a multi-worker strategy, for the block.

    They are in the TensorFlow trainer (``keras.src.backend.tensorflow.trainer``; Keras 3.15) and show with
    ``MultiWorkerMirroredStrategy`` over more than one worker (the first two make ``fit`` fail, the third makes
    it train a different model from one process):

    1. Before training, ``_maybe_symbolic_build`` takes the first batch of the distributed dataset, an
       ``(images, labels)`` tuple of ``PerReplica`` values, and calls ``strategy.reduce("MEAN", batch, axis=None)``
       on the whole tuple, to build the metrics and loss from one plain batch. ``Strategy.reduce`` takes one
       value, not a nest: with several workers its collective path calls ``convert_to_tensor`` on the tuple and
       fails with "Attempt to convert a value (PerReplica:{ 0: <tf.Tensor ...". The build only needs the batch's
       shapes and dtypes, so this model builds from the dataset's ``element_spec`` instead: no cross-worker op,
       and no batch drawn. (Drawing one starts an iteration of the dataset that ``fit`` then throws away, so a
       dataset reshuffled each iteration would train its first epoch on its second order, not the order a run
       without a strategy trains on.)
    2. Every step, ``reduce_per_replica`` averages the step's outputs (the loss and metric values, scalars)
       across workers with ``strategy.reduce("MEAN", v, axis=0)``, which fails on a scalar ("Invalid reduction
       dimension 0 for input with 0 dimensions"). Scalars are averaged with ``axis=None`` instead (the same
       cluster-wide mean, by a collective all-reduce); other values go to Keras' own function.
    3. Each replica averages the loss over its own share of the batch and Keras divides that by the number of
       replicas: right when the shares are equal, not for the last, short batch of an epoch (3 images over two
       workers are split 2 and 1, and the lone image then weighs as much as the other two together). While
       training, each replica's loss is multiplied by its share of the step's images (its count times the
       replica count over the step's count, an all-reduced sum), so the summed gradient is that of the mean
       over the whole batch, as without a strategy. (The logged loss of such a batch is then slightly off.)

    With these, :func:`clip_after_all_reduce` and the data sharded by batch (:func:`as_dataset`), two workers
    train the model one process trains from the same seed, to float rounding (LeNet-5 on the digits: weights
    within 1e-6, relative, after 2 epochs; the same int8 export's top-1 on all 450 test images).

    Nothing changes for a tf_keras model, another strategy or a single worker.
    """
    if flavour_of(model) != "keras" or not is_multi_worker(strategy):
        yield
        return
    import tensorflow as tf
    from keras import tree
    from keras.src.backend.tensorflow import trainer as tf_trainer

    keras_reduce = getattr(tf_trainer, "reduce_per_replica", None)
    if keras_reduce is None or not hasattr(type(model), "_maybe_symbolic_build"):  # another Keras: as it is
        yield
        return

    def local_first(value):
        return (strategy.experimental_local_results(value)[0]
                if isinstance(value, tf.distribute.DistributedValues) else value)

    def maybe_symbolic_build(iterator=None, data_batch=None):
        if iterator is not None:
            data_batch = _batch_spec(iterator)
        if data_batch is not None:
            data_batch = tree.map_structure(local_first, data_batch)
        with strategy.scope():
            model._symbolic_build(data_batch=data_batch)

    def reduce_per_replica(values, strategy_, reduction="auto"):
        if reduction in ("auto", "mean") and is_multi_worker(strategy_):
            def reduce(v):
                if isinstance(v, tf.distribute.DistributedValues) or tf.is_tensor(v):
                    rank = local_first(v).shape.rank
                    return strategy_.reduce("MEAN", v, axis=None if rank == 0 else 0)
                return v
            return tree.map_structure(reduce, values)
        return keras_reduce(values, strategy_, reduction=reduction)

    compute_loss = model.compute_loss

    def global_batch_compute_loss(x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = compute_loss(x, y, y_pred, sample_weight, training=training)
        context = tf.distribute.get_replica_context()
        if not training or loss is None or context is None or context.num_replicas_in_sync == 1:
            return loss
        count = tf.cast(tf.shape(tree.flatten(y_pred)[0])[0], loss.dtype)
        total = tf.stop_gradient(context.all_reduce("SUM", count))
        return loss * tf.math.divide_no_nan(count * context.num_replicas_in_sync, total)

    object.__setattr__(model, "_maybe_symbolic_build", maybe_symbolic_build)
    object.__setattr__(model, "compute_loss", global_batch_compute_loss)
    tf_trainer.reduce_per_replica = reduce_per_replica
    try:
        yield
    finally:
        tf_trainer.reduce_per_replica = keras_reduce
        object.__delattr__(model, "compute_loss")
        object.__delattr__(model, "_maybe_symbolic_build")


def clip_after_all_reduce(optimizer) -> None:
    """Make a Keras 3 optimizer clip the gradients summed over replicas, not each replica's share.

    Keras 3 clips (``clipnorm``, ``clipvalue``, ``global_clipnorm``) in ``apply``, before the TensorFlow backend's
    ``_backend_update_step`` sums the gradients over replicas: under a strategy each replica's ``1/N`` share is
    clipped, so the bound is not the one a run without a strategy applies. Here ``_clip_gradients`` sums them
    first (the all-reduce that would come next) and the following ``_all_reduce_sum_gradients`` passes them on,
    so there is still one all-reduce per step. Nothing changes without clipping or in another Keras.
    """
    import tensorflow as tf

    cls = type(optimizer)
    if not (getattr(optimizer, "clipnorm", None) or getattr(optimizer, "clipvalue", None)
            or getattr(optimizer, "global_clipnorm", None)):
        return
    if not (hasattr(cls, "_clip_gradients") and hasattr(cls, "_all_reduce_sum_gradients")):
        return
    summed = []  # set while tracing a step, between the clip and the update that follows it

    def clip_gradients(grads):
        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return cls._clip_gradients(optimizer, grads)
        present = [g for g in grads if g is not None]
        reduced = iter(context.all_reduce("SUM", present) if present else [])
        grads = [None if g is None else next(reduced) for g in grads]
        summed.append(True)
        return cls._clip_gradients(optimizer, grads)

    def all_reduce_sum_gradients(grads_and_vars):
        if summed:
            summed.clear()
            return list(grads_and_vars)
        return cls._all_reduce_sum_gradients(optimizer, grads_and_vars)

    object.__setattr__(optimizer, "_clip_gradients", clip_gradients)
    object.__setattr__(optimizer, "_all_reduce_sum_gradients", all_reduce_sum_gradients)


def backup_and_restore(model, backup_dir: str | os.PathLike, strategy=None, *, delete: bool = True):
    """A ``BackupAndRestore`` callback for ``model``'s flavour: saves the training state (weights, optimizer
    state, epoch) to ``backup_dir`` after every epoch; ``fit`` with the same directory resumes after the last
    saved epoch (a restarted job, e.g. after losing a worker). ``delete`` removes the directory when training
    ends.

    Keras 3's own callback has every worker write the same files in place (a worker lost mid-write leaves a
    truncated checkpoint); this one (Keras 3 models) has only the chief (:func:`is_chief`) write, each file to a
    temporary name in the directory first and then renamed over the last (atomic on one filesystem), the
    weights before the epoch count (a crash between them repeats one epoch at most). The other workers save
    too, as ``tf.distribute`` wants every worker in a save, but to a temporary directory they remove. Every
    worker restores from ``backup_dir``: under multi-worker training it must be a path all of them see (a
    shared filesystem, or one machine). The restored run restarts the data pipeline, so its shuffles and
    augmentation after the restart are not the ones the uninterrupted run would have drawn. tf_keras models
    (QAT) get tf_keras' callback, which handles workers itself.
    """
    import shutil
    import tempfile

    backup_dir = os.fspath(backup_dir)
    k = keras_module(flavour_of(model))
    if flavour_of(model) != "keras":
        return k.callbacks.BackupAndRestore(backup_dir, delete_checkpoint=delete)
    chief = is_chief(strategy)

    class ChiefBackupAndRestore(k.callbacks.BackupAndRestore):
        def _save_model(self):
            if chief:
                os.makedirs(self.backup_dir, exist_ok=True)
                folder = self.backup_dir
            else:
                folder = tempfile.mkdtemp(prefix="mobilecnn-backup-")
            try:
                weights = os.path.join(folder, f".latest-{os.getpid()}.tmp.weights.h5")
                self.model.save_weights(weights, overwrite=True)
                if not chief:
                    return
                os.replace(weights, self._weights_path)
                state = os.path.join(folder, f".training_metadata-{os.getpid()}.tmp")
                with open(state, "w") as f:
                    f.write(json.dumps({"epoch": self._current_epoch, "batch": self._last_batch_seen}))
                os.replace(state, self._training_metadata_path)
            finally:
                if not chief:
                    shutil.rmtree(folder, ignore_errors=True)

        def on_train_end(self, logs=None):
            if chief:
                super().on_train_end(logs)

    return ChiefBackupAndRestore(backup_dir, delete_checkpoint=delete)


def _batch_spec(epoch_iterator):
    """The ``tf.TensorSpec`` structure of a Keras 3 epoch iterator's batches, without drawing a batch."""
    adapter = getattr(epoch_iterator, "data_adapter", None)
    if adapter is not None:
        return adapter.get_tf_dataset().element_spec
    for _, _, it in epoch_iterator:  # no adapter (another Keras): draw one
        return next(it)
    return None


def _check_arrays(model, data, label: str) -> None:
    """``(images, labels)`` arrays must fit the model: its input shape, integer labels below its class count."""
    try:
        x, y = data
    except (TypeError, ValueError) as err:
        raise ValueError(f"{label} data must be an (images, labels) pair of arrays or a batched "
                         f"tf.data.Dataset, got {type(data).__name__}") from err
    x, y = np.asarray(x), np.asarray(y)
    expected = tuple(model.inputs[0].shape[1:])
    if tuple(x.shape[1:]) != expected:
        raise ValueError(f"{label} images have shape {tuple(x.shape[1:])} but {model.name} takes {expected}: "
                         "load them at the model's input size (e.g. mobilecnn.data.load(source, input_shape))")
    classes = int(model.outputs[0].shape[-1])
    if y.ndim != 1:
        raise ValueError(f"{label} labels must be a 1-D array of class indices, got shape {y.shape}")
    if y.size and (np.any(y != np.floor(y)) or y.min() < 0 or y.max() >= classes):
        raise ValueError(f"{label} labels must be class indices in [0, {classes}) for {model.name}'s {classes} "
                         f"outputs, got values from {y.min()} to {y.max()}")


@contextlib.contextmanager
def batchnorm_momentum_set(model, momentum: float | None):
    """Every batch norm's momentum (also inside tfmot's wrappers) set to ``momentum`` for the block; None: kept."""
    layers = [getattr(layer, "layer", layer) for layer in model.layers]
    norms = [layer for layer in layers if type(layer).__name__ == "BatchNormalization"]
    saved = [layer.momentum for layer in norms]
    try:
        if momentum is not None:
            for layer in norms:
                layer.momentum = momentum
        yield
    finally:
        for layer, value in zip(norms, saved, strict=True):
            layer.momentum = value


def accuracy(model, images: np.ndarray, labels: np.ndarray, batch_size: int = 256) -> float:
    """Top-1 accuracy of a Keras model (either flavour) on arrays."""
    predictions = predict(model, images, batch_size)
    return float(np.mean(predictions.argmax(-1) == np.asarray(labels)))


def predict(model, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Outputs in inference mode, batch by batch (no ``predict`` tracing for a few hundred images)."""
    images = np.asarray(images, "float32")
    out = [np.asarray(model(images[i:i + batch_size], training=False)) for i in range(0, len(images), batch_size)]
    return np.concatenate(out).reshape(len(images), -1)


def steps_per_epoch(count: int, batch_size: int) -> int:
    return math.ceil(count / batch_size)
