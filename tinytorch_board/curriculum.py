"""The one table of TinyTorch modules and milestones; everything else reads it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Module:
    number: int
    slug: str
    title: str

    @property
    def id(self) -> str:
        """Two-digit id as TinyTorch writes it ("01")."""
        return f"{self.number:02d}"


@dataclass(frozen=True)
class Milestone:
    number: int
    year: int
    name: str
    requires: tuple[int, ...]  # module numbers the milestone builds on

    @property
    def id(self) -> str:
        return f"{self.number:02d}"

    @property
    def label(self) -> str:
        return f"{self.year} {self.name}"


MODULES: tuple[Module, ...] = (
    Module(1, "tensor", "Tensor"),
    Module(2, "activations", "Activations"),
    Module(3, "layers", "Layers"),
    Module(4, "losses", "Losses"),
    Module(5, "autograd", "Autograd"),
    Module(6, "optimizers", "Optimizers"),
    Module(7, "training", "Training"),
    Module(8, "dataloader", "DataLoader"),
    Module(9, "spatial", "Spatial (CNNs)"),
    Module(10, "tokenization", "Tokenization"),
    Module(11, "embeddings", "Embeddings"),
    Module(12, "attention", "Attention"),
    Module(13, "transformers", "Transformers"),
    Module(14, "profiling", "Profiling"),
    Module(15, "quantization", "Quantization"),
    Module(16, "compression", "Compression"),
    Module(17, "memoization", "Memoization (KV cache)"),
    Module(18, "acceleration", "Acceleration"),
    Module(19, "benchmarking", "Benchmarking"),
    Module(20, "capstone", "Capstone"),
)

MILESTONES: tuple[Milestone, ...] = (
    Milestone(1, 1957, "Perceptron", (1, 2, 3)),
    Milestone(2, 1969, "XOR Crisis", (1, 2, 3, 4, 5)),
    Milestone(3, 1986, "MLP Revival", (1, 2, 3, 4, 5, 6, 7)),
    Milestone(4, 1998, "CNN Revolution", (1, 2, 3, 4, 5, 6, 7, 8, 9)),
    Milestone(5, 2017, "Transformer Era", tuple(range(1, 14))),
    Milestone(6, 2018, "MLPerf", tuple(range(1, 20))),
)

MODULE_COUNT = len(MODULES)
MILESTONE_COUNT = len(MILESTONES)
MODULE_IDS: tuple[str, ...] = tuple(m.id for m in MODULES)
MILESTONE_IDS: tuple[str, ...] = tuple(m.id for m in MILESTONES)

_MODULES_BY_NUMBER = {m.number: m for m in MODULES}
_MILESTONES_BY_NUMBER = {m.number: m for m in MILESTONES}


def _parse_number(value: object) -> int | None:
    """Accept 1, "1", "01" and "01_tensor"; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        head = value.strip().split("_", 1)[0]
        if head.isdigit() and len(head) <= 3:
            return int(head)
    return None


def module_by_id(value: object) -> Module | None:
    """The module for an id in any of TinyTorch's spellings, or None if unknown."""
    number = _parse_number(value)
    return _MODULES_BY_NUMBER.get(number) if number is not None else None


def milestone_by_id(value: object) -> Milestone | None:
    """The milestone for an id in any of TinyTorch's spellings, or None if unknown."""
    number = _parse_number(value)
    return _MILESTONES_BY_NUMBER.get(number) if number is not None else None
