"""The shared block library: plain functions over the functional API, one module per kind of block.

``core`` holds what every family uses (conv-bn-act, depthwise, activations,
squeeze-excite, the inverted residual); other modules hold the blocks of one
lineage (e.g. ``shuffle``, ``residual``). Import from the module that holds
the block.
"""

from mobilecnn.blocks.core import (  # noqa: F401
    ACTIVATIONS,
    BatchNorm,
    BlockNames,
    activation,
    conv_bn,
    depthwise_bn,
    hard_sigmoid,
    hard_swish_decomposed,
    inverted_residual,
    squeeze_excite,
)
