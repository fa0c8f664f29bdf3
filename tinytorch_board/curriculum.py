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

# Names and prerequisites as TinyTorch's `tito milestone` states them: MILESTONE_SCRIPTS in
# tito/commands/milestone.py of MLSysBook/TinyTorch (commit 02364f80, 2025-12-06), where the
# names carry the year ("Perceptron (1957)") and "required_modules" lists module numbers.
# Milestone 06 needed 1-19 until 2025-11-25, 1-16 from 2025-12-02 (9eabcbab) and 1-17
# (up to Memoization) from 2025-12-03 (456459ec). Earlier documents and tito's progress sync
# (tito/core/submission.py) say "XOR Problem" and "MLPerf Benchmarking": see OLD_NAMES.
MILESTONES: tuple[Milestone, ...] = (
    Milestone(1, 1957, "Perceptron", (1,)),
    Milestone(2, 1969, "XOR Crisis", (1, 2)),
    Milestone(3, 1986, "MLP Revival", (1, 2, 3, 4, 5, 6, 7)),
    Milestone(4, 1998, "CNN Revolution", (1, 2, 3, 4, 5, 6, 7, 8, 9)),
    Milestone(5, 2017, "Transformer Era", tuple(range(1, 14))),
    Milestone(6, 2018, "MLPerf Benchmarks", tuple(range(1, 18))),
)

# Names earlier TinyTorch documents used for the same milestones.
OLD_NAMES: dict[int, tuple[str, ...]] = {2: ("XOR Problem",), 6: ("MLPerf", "MLPerf Benchmarking")}

# Module folders of earlier releases (e.g. TinyTorch at 3b721c54, 2025-09-19: 01_setup,
# 02_tensor, ..., 05_dense, ..., 13_kernels, 15_mlops, 16_tinygpt) that have no module in
# today's curriculum. Their numbers meant other modules then, so slugs are read by name.
RETIRED_SLUGS = frozenset({"setup", "dense", "kernels", "mlops", "tinygpt"})
# Other spellings of today's slugs seen in TinyTorch's folders.
SLUG_ALIASES = {"dataloaders": "dataloader", "convolutions": "spatial", "cnn": "spatial"}

MODULE_COUNT = len(MODULES)
MILESTONE_COUNT = len(MILESTONES)
MODULE_IDS: tuple[str, ...] = tuple(m.id for m in MODULES)
MILESTONE_IDS: tuple[str, ...] = tuple(m.id for m in MILESTONES)

_MODULES_BY_NUMBER = {m.number: m for m in MODULES}
_MILESTONES_BY_NUMBER = {m.number: m for m in MILESTONES}


_MODULES_BY_SLUG = {m.slug: m for m in MODULES}


def _parse_number(value: object) -> int | None:
    """Accept 1, "1" and "01"; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        head = value.strip()
        if head.isdigit() and len(head) <= 3:
            return int(head)
    return None


def split_slug(value: object) -> tuple[str, str] | None:
    """("02", "tensor") for a folder-style id such as "02_tensor"; None for other ids."""
    if not isinstance(value, str) or "_" not in value:
        return None
    head, name = value.strip().split("_", 1)
    if not head.isdigit() or not name:
        return None
    return head, name.lower()


def module_by_id(value: object) -> Module | None:
    """The module for an id in any of TinyTorch's spellings, or None if unknown.

    Numbers (1, "1", "01") are today's module numbers. A folder-style slug ("02_tensor") is
    read by its name, not its number: earlier releases numbered modules differently
    ("02_tensor" was the tensor module when 01 was setup).
    """
    slug = split_slug(value)
    if slug is not None:
        name = SLUG_ALIASES.get(slug[1], slug[1])
        return _MODULES_BY_SLUG.get(name)
    number = _parse_number(value)
    return _MODULES_BY_NUMBER.get(number) if number is not None else None


def is_retired_slug(value: object) -> bool:
    """True for a module folder of an earlier release with no module today ("01_setup")."""
    slug = split_slug(value)
    return slug is not None and slug[1] in RETIRED_SLUGS


def milestone_by_id(value: object) -> Milestone | None:
    """The milestone for an id in any of TinyTorch's spellings ("01", 1, "01_perceptron")."""
    slug = split_slug(value)
    number = _parse_number(slug[0] if slug else value)
    return _MILESTONES_BY_NUMBER.get(number) if number is not None else None
