"""Capstone suite 1: train a small MLP, then measure accuracy, speed, compression, efficiency.

One job per module: `model` (the data, the MLP, numpy training), `compression` (int8
and pruning in numpy), `guest` (the student's own forward pass, training and quantizer,
each checked against numpy first), `tracks` (the four tracks and the result document).
"""

from tinytorch_board.bench.capstone.compression import (
    fp32_bytes,
    int8_bytes,
    magnitude_prune,
    quantize_int8,
    structured_prune,
)
from tinytorch_board.bench.capstone.model import (
    DEFAULT_SETTINGS,
    CapstoneSettings,
    Dataset,
    forward_numpy,
    init_params,
    make_dataset,
    train,
)
from tinytorch_board.bench.capstone.tracks import (
    TRACK_LABELS,
    TRACK_RUNNERS,
    describe_metrics,
    run_capstone,
    tiny_settings,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "TRACK_LABELS",
    "TRACK_RUNNERS",
    "CapstoneSettings",
    "Dataset",
    "describe_metrics",
    "forward_numpy",
    "fp32_bytes",
    "init_params",
    "int8_bytes",
    "magnitude_prune",
    "make_dataset",
    "quantize_int8",
    "run_capstone",
    "structured_prune",
    "tiny_settings",
    "train",
]
