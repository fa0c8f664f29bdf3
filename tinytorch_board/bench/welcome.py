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


FRAMEWORK_SENTENCE = (
    "your own ops against numpy timed in the same run: 100 = as fast as numpy, "
    "every 2x slower = -10"
)
MACHINE_SENTENCE = "numpy on this machine against the reference machine = 50, every 2x faster = +10"


def machine_line(score: float) -> str:
    return f"Your machine: {score:.1f} / 100  ({MACHINE_SENTENCE})"


def score_lines(result: dict) -> list[str]:
    """One line per score the result holds, each saying what it measures.

    A tinytorch result of a suite with a framework score has two (its headline `score`
    is Your TinyTorch, `machine_score` Your machine); a numpy result has Your machine;
    a suite 1 tinytorch result has its one numpy-relative score.
    """
    score, machine = result["score"], result.get("machine_score")
    if result["backend"] == "tinytorch" and isinstance(machine, (int, float)):
        return [
            f"📊 Your TinyTorch: {score:.1f} / 100  ({FRAMEWORK_SENTENCE})",
            f"🖥  {machine_line(machine)}",
        ]
    if result["backend"] == "tinytorch":
        return [f"📊 Score: {score:.1f} / 100  (reference machine = 50; every 2x faster = +10)"]
    return [f"🖥  {machine_line(score)}"]


def welcome_lines(
    result: dict, modules: set[str], milestones: set[str], standing: str | None, tip: str
) -> list[str]:
    """The first baseline in a project: setup verified, progress, scores, one next step."""
    backend = "your own tinytorch" if result["backend"] == "tinytorch" else "numpy"
    details = result.get("details") if isinstance(result.get("details"), dict) else {}
    # Celebrate only what worked: a package that could not be used gets a plain welcome.
    mark = "👋" if details.get("missing_module") or details.get("failed") else "🎉"
    lines = [
        f"{mark} Welcome to the TinyTorch community board!",
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
