"""One module per architecture family; importing this package registers them all."""

from mobilecnn.families import efficientnet, mobilenet_v1, mobilenet_v2, mobilenet_v3  # noqa: F401
