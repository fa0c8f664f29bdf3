"""Capstone compression in numpy: int8 weights, magnitude and structured pruning, bytes.

The reference implementation; the student's quantizer replaces `quantize_int8` when it
passes its check (see guest.py), and its bytes are measured, never taken on trust.
"""

from __future__ import annotations

from tinytorch_board.bench.capstone.model import Params

# --- compression (numpy) -------------------------------------------------------------


def quantize_int8(w):
    """Symmetric per-output-channel int8 weights, returned dequantized (what inference uses)."""
    import numpy as np

    scale = np.max(np.abs(w), axis=0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(w / scale), -127, 127)
    return (q * scale).astype(np.float32)


def magnitude_prune(params: Params, sparsity: float) -> Params:
    """Zero the smallest-magnitude fraction of each weight matrix (biases kept)."""
    import numpy as np

    pruned = []
    for w, b in params:
        k = int(round(sparsity * w.size))
        if k <= 0:
            pruned.append((w.copy(), b))
            continue
        threshold = np.partition(np.abs(w).ravel(), k - 1)[k - 1]
        pruned.append((np.where(np.abs(w) > threshold, w, 0).astype(np.float32), b))
    return pruned


def fp32_bytes(params: Params) -> int:
    return sum(4 * (w.size + b.size) for w, b in params)


def int8_bytes(params: Params, sparse: bool) -> int:
    """Storage of int8 weights (+ a 1-bit mask when sparse), fp32 per-channel scales and biases."""
    import numpy as np

    total = 0
    for w, b in params:
        if sparse:
            total += int(np.count_nonzero(w)) + (w.size + 7) // 8
        else:
            total += w.size
        total += 4 * w.shape[1] + 4 * b.size
    return total


def structured_prune(params: Params, keep: float) -> Params:
    """Remove the least important hidden units (|in| x |out| weight norms), keeping `keep`."""
    import numpy as np

    params = [(w.copy(), b.copy()) for w, b in params]
    for layer in range(len(params) - 1):
        w, b = params[layer]
        w_next, b_next = params[layer + 1]
        importance = np.linalg.norm(w, axis=0) * np.linalg.norm(w_next, axis=1)
        kept = int(max(1, round(keep * w.shape[1])))
        index = np.sort(np.argsort(importance)[::-1][:kept])
        params[layer] = (np.ascontiguousarray(w[:, index]), b[index].copy())
        params[layer + 1] = (np.ascontiguousarray(w_next[index, :]), b_next)
    return params
