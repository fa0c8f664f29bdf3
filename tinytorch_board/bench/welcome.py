"""The moment after a baseline: a welcome the first time, what changed every time after.

Pure text from what was measured and what TinyTorch's files say; no I/O here.
"""

from __future__ import annotations

from collections.abc import Sequence

from tinytorch_board.curriculum import MILESTONE_COUNT, MILESTONES, MODULE_COUNT, MODULES

NAMES_SHOWN = 3


def _names(ids: Sequence[str], table, label) -> str:
    """' (Tensor, Activations, Layers)', or ' (4 earlier, then A, B, C)' for many."""
    by_id = {item.id: label(item) for item in table}
    known = [by_id[i] for i in sorted(ids) if i in by_id]
    if not known:
        return ""
    shown = known[-NAMES_SHOWN:]
    more = len(known) - len(shown)
    return f" ({f'{more} earlier, then ' if more else ''}{', '.join(shown)})"


def module_line(modules: set[str]) -> str:
    mark = "✅" if modules else "⬜"
    names = _names(list(modules), MODULES, lambda m: m.title)
    return f"{mark} Modules: {len(modules)}/{MODULE_COUNT}{names}"


def milestone_line(milestones: set[str]) -> str:
    mark = "✅" if milestones else "⬜"
    names = _names(list(milestones), MILESTONES, lambda m: m.label)
    return f"{mark} Milestones: {len(milestones)}/{MILESTONE_COUNT}{names}"


def score_lines(result: dict) -> list[str]:
    """One line per score the result holds, each saying what it measures."""
    framework = result.get("framework_score")
    machine = result.get("machine_score")
    lines = []
    if isinstance(framework, (int, float)):
        lines.append(
            f"📊 Your TinyTorch: {framework:.1f} / 100: your own ops against numpy in the same "
            "run, so it is fair on any hardware (100 = as fast as numpy)"
        )
    if isinstance(machine, (int, float)):
        lines.append(
            f"🖥  Your machine: {machine:.1f} / 100: numpy here against the reference machine "
            "(= 50; every 2x faster = +10)"
        )
    if not lines:
        lines.append(
            f"📊 Baseline score: {result['score']:.1f} / 100: {result['backend']} on this machine "
            "against the reference machine (= 50; every 2x faster = +10)"
        )
    return lines


def welcome_lines(
    result: dict, modules: set[str], milestones: set[str], standing: str | None, tip: str
) -> list[str]:
    """The first baseline in a project: setup verified, progress, scores, one next step."""
    backend = "your own tinytorch" if result["backend"] == "tinytorch" else "numpy"
    lines = [
        "🎉 Welcome to the TinyTorch community board!",
        f"✅ Setup verified: {backend} ran a real ML workload on this machine",
        module_line(modules),
        milestone_line(milestones),
        *score_lines(result),
    ]
    if standing:
        lines.append(f"🌍 {standing}")
    lines.append(f"💡 {tip}")
    return lines


def change_lines(
    result: dict,
    previous: dict | None,
    modules: set[str],
    milestones: set[str],
    new_modules: set[str],
    new_milestones: set[str],
    standing: str | None,
    tip: str,
) -> list[str]:
    """A later baseline: what changed since the last comparable run, then where things are."""
    lines = []
    if previous is not None and isinstance(previous.get("score"), (int, float)):
        delta = result["score"] - previous["score"]
        if delta >= 0.05:
            lines.append(f"📈 +{delta:.1f} since your last run ({previous['score']:.1f})")
        elif delta <= -0.05:
            lines.append(
                f"📉 {delta:.1f} since your last run ({previous['score']:.1f}); timings vary with "
                "what else the machine is doing"
            )
        else:
            lines.append(f"➖ Same score as your last run ({previous['score']:.1f})")
    for milestone in MILESTONES:
        if milestone.id in new_milestones:
            lines.append(f"🏁 Milestone passed since your last run: {milestone.label}")
    if new_modules:
        count = len(new_modules)
        lines.append(f"🧩 {count} module{'s' if count != 1 else ''} completed since your last run")
    lines += [module_line(modules), milestone_line(milestones), *score_lines(result)]
    if standing:
        lines.append(f"🌍 {standing}")
    lines.append(f"💡 {tip}")
    return lines


def done_since(dates: dict[str, str], since: str | None) -> set[str]:
    """Ids whose completion date (ISO 8601, as TinyTorch writes it) is after `since`."""
    if not since:
        return set()
    cut = since[:19]
    return {key for key, when in dates.items() if isinstance(when, str) and when[:19] > cut}
