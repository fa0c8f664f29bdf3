"""Realistic, valid, varied synthetic submissions, deterministic for a seed.

For maintainers who want to see a populated board and for measuring scale. Every file
passes the validator: scores are computed from the generated timings with the real
formula. Dates fall before a fixed anchor so the output does not depend on today.
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tinytorch_board import __version__
from tinytorch_board.curriculum import MILESTONES, MODULE_COUNT
from tinytorch_board.jsonio import dumps, write_text_atomic
from tinytorch_board.submission.score import (
    BASELINE_METRICS,
    CURRENT_BASELINE_SUITE,
    REFERENCE_MS,
    baseline_scores,
)

SUITE = CURRENT_BASELINE_SUITE

ANCHOR = datetime(2026, 11, 1, tzinfo=timezone.utc)

# (system_type, os, arch, weight, speed factor vs the reference machine)
SYSTEMS = (
    ("Linux x86", "Linux", "x86_64", 34, 1.0),
    ("macOS Apple Silicon", "macOS", "arm64", 30, 1.6),
    ("Windows x86", "Windows", "x86_64", 18, 0.85),
    ("macOS Intel", "macOS", "x86_64", 7, 0.7),
    ("Linux ARM", "Linux", "arm64", 6, 0.6),
    ("Windows ARM", "Windows", "arm64", 3, 0.75),
    ("Other", "Other", "riscv64", 2, 0.3),
)
COURSE_TYPES = ("university", "bootcamp", "self-paced", "other")
LEVELS = ("beginner", "intermediate", "advanced", "expert")
FIRST_NAMES = (
    "Ada",
    "Grace",
    "Alan",
    "Yann",
    "Fei-Fei",
    "Geoff",
    "Andrej",
    "Chen",
    "Priya",
    "Ngozi",
    "Mateo",
    "Sofía",
    "Jürgen",
    "Aiko",
    "Kwame",
    "Leila",
    "Dmitri",
    "Amara",
    "Rahul",
    "Zoë",
)
COUNTRIES = ("US", "IN", "DE", "BR", "CN", "NG", "GB", "JP", "CA", "FR", "KE", "MX", "KR", "ES")
INSTITUTIONS = (
    "Harvard University",
    "Self-taught",
    "IIT Bombay",
    "TU München",
    "University of Lagos",
    "Universidade de São Paulo",
    "Tsinghua University",
    "Le Wagon",
    "University of Toronto",
)


def _cohort(moment: datetime) -> str:
    term = "Fall" if moment.month >= 9 else "Spring" if moment.month <= 5 else "Summer"
    return f"{term} {moment.year}"


def _milestones_for(modules: int) -> list[str]:
    return [m.id for m in MILESTONES if max(m.requires) <= modules]


def generate(count: int, seed: int = 0) -> list[dict]:
    """count submission documents; participants submit 1-4 times and usually improve."""
    rng = random.Random(seed)
    docs: list[dict] = []
    weights = [s[3] for s in SYSTEMS]
    while len(docs) < count:
        system = rng.choices(SYSTEMS, weights)[0]
        machine_speed = system[4] * math.exp(rng.gauss(0, 0.35))
        cores = rng.choice((2, 4, 4, 8, 8, 8, 10, 12, 16))
        memory = rng.choice((4, 8, 8, 16, 16, 16, 32, 64))
        has_profile = rng.random() < 0.75
        public = rng.random() < 0.2
        joined = ANCHOR - timedelta(days=rng.uniform(1, 400))
        participant = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        course = rng.choice(COURSE_TYPES)
        level = rng.choice(LEVELS)
        display = None
        if public:
            display = {
                "display_name": f"{rng.choice(FIRST_NAMES)} {rng.randrange(1, 999)}",
            }
            if rng.random() < 0.6:
                display["country"] = rng.choice(COUNTRIES)
            if rng.random() < 0.4:
                display["institution"] = rng.choice(INSTITUTIONS)
        modules = rng.choice((1, 2, 3, 3, 5, 7, 7, 9, 13, 14, 19, 20))
        runs = min(count - len(docs), rng.choice((1, 1, 1, 2, 2, 3, 4)))
        when = joined + timedelta(
            hours=rng.uniform(0.2, 30) if rng.random() < 0.5 else rng.uniform(30, 24 * 30)
        )
        backend = "tinytorch" if rng.random() < 0.35 else "numpy"
        for _ in range(runs):
            when = min(when, ANCHOR - timedelta(minutes=1))
            docs.append(
                _document(
                    rng,
                    system,
                    machine_speed,
                    cores,
                    memory,
                    backend,
                    modules,
                    when,
                    participant,
                    joined if has_profile else None,
                    course,
                    level,
                    display,
                )
            )
            machine_speed *= math.exp(abs(rng.gauss(0.1, 0.15)))  # optimization pays off
            modules = min(MODULE_COUNT, modules + rng.randrange(0, 4))
            when += timedelta(days=rng.uniform(0.5, 20))
    return docs


def _student_slowdowns(own: random.Random, modules: int) -> dict[str, float]:
    """How much slower than numpy a student's ops run, as real TinyTorch code does.

    Elementwise ops go through numpy (about 2x: wrapper overhead). Until the
    acceleration module (18), 2-D matmul is explicit Python loops: hundreds of times
    slower on 100x100, and the small forward pass about 20x; most students who reach
    module 18 vectorize it (a few times slower than numpy, all wrapper overhead).
    """
    looped = modules < 18 or own.random() < 0.2
    noise = lambda: math.exp(own.gauss(0, 0.15))  # noqa: E731
    return {
        "tensor_ops": own.uniform(1.6, 3.0) * noise(),
        "matmul": (own.uniform(250, 900) if looped else own.uniform(1.2, 3.5)) * noise(),
        "forward_pass": (own.uniform(12, 35) if looped else own.uniform(1.5, 4.0)) * noise(),
    }


def _document(
    rng,
    system,
    speed,
    cores,
    memory,
    backend,
    modules,
    when,
    participant,
    joined,
    course,
    level,
    display,
) -> dict:
    # The main generator makes the same draws for both backends (so boards of other
    # seeds keep their shape); a tinytorch result's own figures come from a generator
    # seeded by its one draw.
    own = random.Random(rng.uniform(1.5, 12.0)) if backend == "tinytorch" else None
    slowdowns = _student_slowdowns(own, modules) if own is not None else None
    metrics = {}
    for name in BASELINE_METRICS:
        median = REFERENCE_MS[SUITE][name] / speed * math.exp(rng.gauss(0, 0.08))
        numpy_median = float(f"{median:.4g}")
        iqr_share, runs, converged = rng.uniform(0.005, 0.08), rng.randrange(15, 120), rng.random()
        if slowdowns is None:
            metrics[name] = {
                "median_ms": numpy_median,
                "iqr_ms": float(f"{numpy_median * iqr_share:.4g}"),
                "runs": runs,
                "converged": converged < 0.93,
            }
            continue
        mine = float(f"{median * slowdowns[name]:.4g}")
        metrics[name] = {
            "median_ms": mine,
            "iqr_ms": float(f"{mine * iqr_share:.4g}"),
            # A slow op gets fewer samples in the same time budget.
            "runs": max(5, min(runs, int(600 / mine))),
            "converged": converged < 0.93,
            "numpy_median_ms": numpy_median,
            "numpy_iqr_ms": float(f"{numpy_median * own.uniform(0.005, 0.08):.4g}"),
            "numpy_runs": runs,
        }
    bench = {"kind": "baseline", "suite_version": SUITE, "backend": backend, "metrics": metrics}
    bench["score"], bench["machine_score"] = baseline_scores(bench)
    secret = f"{rng.getrandbits(256):064x}"
    community = None
    if joined is not None:
        community = {
            "cohort": _cohort(joined),
            "course_type": course if rng.random() < 0.8 else None,
            "experience_level": level if rng.random() < 0.8 else None,
        }
    return {
        "schema_version": 1,
        "submission_id": f"{rng.getrandbits(128):032x}",
        "participant_id": participant,
        "created_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "client_version": __version__,
        "benchmark": bench,
        "system": {
            "system_type": system[0],
            "os": system[1],
            "arch": system[2],
            "cpu_cores": cores,
            "memory_gb": memory,
            "python": rng.choice(("3.10", "3.11", "3.11", "3.12", "3.12", "3.13")),
            "numpy": rng.choice(("1.26", "2.1", "2.2", "2.3")),
        },
        "progress": {
            "setup_verified": True,
            "modules_completed": modules,
            "milestones_completed": _milestones_for(modules),
            "days_since_join": None if joined is None else max(0, (when - joined).days),
        },
        "community": community,
        "visibility": "public" if display else "anonymous",
        "public": dict(display) if display else None,
        "withdraw_key_sha256": hashlib.sha256(secret.encode("ascii")).hexdigest(),
    }


def write_demo_board(out_dir: Path, count: int, seed: int = 0) -> list[Path]:
    """Write count submissions under out_dir/submissions/ (and a board.yaml if missing)."""
    from tinytorch_board.board.config import default_board_yaml

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not (out_dir / "board.yaml").exists():
        write_text_atomic(out_dir / "board.yaml", default_board_yaml())
    written = []
    capstones = round(count * CAPSTONE_SHARE)
    for doc in generate(count - capstones, seed) + generate_capstone(capstones, seed):
        sid = doc["submission_id"]
        path = out_dir / "submissions" / sid[:2] / f"{sid}.json"
        write_text_atomic(path, dumps(doc), durable=False)
        written.append(path)
    return written


# --- capstone submissions (appended; the baseline generation above is unchanged) -------

CAPSTONE_SHARE = 0.1  # about one demo submission in ten is a capstone result


def generate_capstone(count: int, seed: int = 0) -> list[dict]:
    """count valid capstone submissions; track scores come from the real formulas."""
    from tinytorch_board.submission.score import (
        CAPSTONE_REFERENCE,
        CAPSTONE_SUITE_VERSION,
        CAPSTONE_TRACKS,
        capstone_overall,
        capstone_track_score,
    )

    rng = random.Random(f"capstone-{seed}")
    reference = CAPSTONE_REFERENCE[CAPSTONE_SUITE_VERSION]
    weights = [s[3] for s in SYSTEMS]
    docs = []
    for _ in range(count):
        system = rng.choices(SYSTEMS, weights)[0]
        speed = system[4] * math.exp(rng.gauss(0, 0.35))
        backend = "tinytorch" if rng.random() < 0.5 else "numpy"
        slowdown = 1.0 if backend == "numpy" else rng.uniform(1.3, 6.0)
        joined = ANCHOR - timedelta(days=rng.uniform(20, 400))
        when = min(ANCHOR - timedelta(minutes=1), joined + timedelta(days=rng.uniform(10, 120)))
        display = None
        if rng.random() < 0.25:
            display = {"display_name": f"{rng.choice(FIRST_NAMES)} {rng.randrange(1, 999)}"}
        doc = _document(
            rng,
            system,
            speed,
            rng.choice((2, 4, 8, 8, 16)),
            rng.choice((8, 16, 16, 32)),
            backend,
            rng.choice((18, 19, 20, 20, 20)),
            when,
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            joined if rng.random() < 0.8 else None,
            rng.choice(COURSE_TYPES),
            rng.choice(LEVELS),
            display,
        )
        accuracy = round(rng.uniform(88.0, 92.5), 2)
        latency = reference["latency_p50_ms"] * slowdown / speed * math.exp(rng.gauss(0, 0.1))
        sparsity = rng.choice((0.0, 50.0, 60.0, 70.0, 70.0, 80.0))
        compression_drop = round(rng.uniform(-0.3, 2.0), 2)
        keep = rng.choice((75.0, 50.0, 50.0, 37.5))
        efficiency_drop = round(rng.uniform(0.2, 2.5), 2)
        ratio_for = {0.0: 3.835, 50.0: 6.3, 60.0: 7.3, 70.0: 8.48, 80.0: 10.3}
        metrics = {
            "accuracy": {
                "accuracy_pct": accuracy,
                "epochs": 10,
                "train_samples": 10000,
                "test_samples": 2000,
                "train_seconds": _sig(2.6 / speed * math.exp(rng.gauss(0, 0.1))),
            },
            "speed": {
                "latency_p50_ms": _sig(latency),
                "latency_p90_ms": _sig(latency * rng.uniform(1.02, 1.2)),
                "latency_p99_ms": _sig(latency * rng.uniform(1.3, 2.5)),
                "throughput_sps": _sig(
                    reference["throughput_sps"] * speed / slowdown * math.exp(rng.gauss(0, 0.1))
                ),
                "batch_size": 256,
            },
            "compression": {
                "size_ratio": ratio_for[sparsity],
                "sparsity_pct": sparsity,
                "accuracy_pct": round(accuracy - compression_drop, 2),
                "baseline_accuracy_pct": accuracy,
                "accuracy_drop_pct": compression_drop,
                "original_kb": 332.0,
                "compressed_kb": _sig(332.0 / ratio_for[sparsity]),
            },
            "efficiency": {
                "speedup": _sig(rng.uniform(1.2, 4.0)),
                "size_ratio": {75.0: 6.27, 50.0: 12.15, 37.5: 18.5}[keep],
                "hidden_kept_pct": keep,
                "accuracy_pct": round(accuracy - efficiency_drop, 2),
                "accuracy_drop_pct": efficiency_drop,
            },
        }
        skipped = rng.choice(CAPSTONE_TRACKS) if rng.random() < 0.15 else None
        tracks = {
            name: None
            if name == skipped
            else {
                "metrics": metrics[name],
                "score": capstone_track_score(name, metrics[name], CAPSTONE_SUITE_VERSION),
            }
            for name in CAPSTONE_TRACKS
        }
        ran = {name: t["score"] for name, t in tracks.items() if t is not None}
        doc["benchmark"] = {
            "kind": "capstone",
            "suite_version": CAPSTONE_SUITE_VERSION,
            "backend": backend,
            "metrics": {},
            "tracks": tracks,
            "score": capstone_overall(ran),
        }
        docs.append(doc)
    return docs


def _sig(value: float) -> float:
    return float(f"{value:.4g}")
