"""tfmot quantizes the tf_keras twin (the whole zoo is the QAT issue's work)."""

import numpy as np


def test_quantize_model_accepts_tf_keras_mobilenet_v2():
    import tensorflow_model_optimization as tfmot

    import mobilecnn

    twin = mobilecnn.build("mobilenet-v2", resolution=64, num_classes=4, flavour="tf_keras",
                           include_preprocessing=False)
    qat = tfmot.quantization.keras.quantize_model(twin)
    assert any("quant" in layer.name for layer in qat.layers)
    qat.compile("adam", "sparse_categorical_crossentropy", run_eagerly=True)  # one step: no graph to trace
    loss = qat.train_on_batch(np.random.rand(4, 64, 64, 3).astype("float32"), np.arange(4))
    assert np.isfinite(loss)
