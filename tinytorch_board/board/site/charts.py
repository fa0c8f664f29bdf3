"""The community page's pictures: SVG charts (svg.py) of the board's community figures,
each with the table it was drawn from."""

from __future__ import annotations

from typing import TypedDict

from markupsafe import Markup

from tinytorch_board.board.model import BoardStats
from tinytorch_board.board.site import pack, svg
from tinytorch_board.curriculum import MILESTONES, MODULE_COUNT
from tinytorch_board.submission.score import group_label, scale_sentence


class Figure(TypedDict):
    """One picture of the community page (`_partials.html` `chart`) and its table."""

    id: str
    title: str
    lede: str
    svg: Markup  # the wide drawing
    svg_narrow: Markup  # the phone drawing
    rows: list[tuple[str, int]]
    label_heading: str
    value_heading: str


def figure(fid, title, lede, draw, items, label_heading, value_heading="People") -> Figure:
    """draw(narrow) -> SVG text: called for the wide and the phone drawing."""
    return {
        "id": fid,
        "title": title,
        "lede": lede,
        "svg": Markup(draw(False)),  # built by svg.py, which escapes every label
        "svg_narrow": Markup(draw(True)),
        "rows": items,
        "label_heading": label_heading,
        "value_heading": value_heading,
    }


# What each kind of score means: the one-sentence scale of score.py (scale_sentence,
# score_name), with the capstone's tracks spelled out. The community page's captions and
# the about page both read it.
CAPSTONE_TRACKS_EXPLAINED = (
    "Accuracy: chance = 0, perfect = 100. Speed: the reference machine = 50, every "
    "doubling adds 10. Compression: int8 alone (4x smaller) = 50, every doubling of the "
    "size ratio adds 25. Efficiency: 15 points per doubling of speed-up x size ratio. "
    "Compression and efficiency lose 10 points per point of accuracy lost beyond 2."
)
SCORED_GROUPS = (("baseline", 1, "numpy"), ("baseline", 1, "tinytorch"), ("baseline", 2, "numpy"),
                 ("baseline", 2, "tinytorch"), ("capstone", 1, "numpy"))  # fmt: skip


def score_meaning(kind: str, suite: int, backend: str) -> str:
    """How to read a score of this group: its name and scale (and the capstone's tracks)."""
    from tinytorch_board.submission.score import score_name

    text = f"{score_name(kind, suite, backend)}: {scale_sentence(kind, suite, backend)}"
    return f"{text} {CAPSTONE_TRACKS_EXPLAINED}" if kind == "capstone" else text


def score_meanings() -> dict[str, str]:
    """Every kind of score the board ranks, by its group label (for the about page)."""
    return {group_label(*g): score_meaning(*g) for g in SCORED_GROUPS}


def community_charts(stats: BoardStats) -> list[Figure]:
    """The community page's pictures, each with the table it was drawn from."""
    c = stats.community
    charts = []
    funnel = [(m.label, c.milestone_reached.get(m.id, 0)) for m in MILESTONES]
    charts.append(
        figure(
            "milestones",
            "Milestones reached",
            "From the 1957 Perceptron to MLPerf: how many students got there (people, "
            "each counted once, with every milestone any of their results reached).",
            lambda narrow: svg.bar_chart(
                "c-milestones", "Milestones reached", funnel, color=svg.PALETTE[2], narrow=narrow
            ),
            funnel,
            "Milestone",
        )
    )
    modules = list(c.modules_histogram) or [0] * (MODULE_COUNT + 1)
    charts.append(
        figure(
            "modules",
            "Modules completed",
            "How far along the 20 modules students are (people, each counted once at "
            "their furthest result).",
            lambda narrow: svg.column_chart(
                "c-modules",
                "Modules completed",
                [str(i) for i in range(len(modules))],
                modules,
                color=svg.PALETTE[3],
                every=2,
                narrow=narrow,
            ),
            [(str(i), v) for i, v in enumerate(modules)],
            "Modules",
            "People",
        )
    )
    systems = sorted(c.systems.items(), key=lambda kv: (-kv[1], kv[0]))
    charts.append(
        figure(
            "systems",
            "Kinds of computer",
            "Laptops, desktops, old and new: every machine is welcome (results).",
            lambda narrow: svg.bar_chart(
                "c-systems", "Kinds of computer", systems, color=svg.PALETTE[1], narrow=narrow
            ),
            systems,
            "System",
            "Results",
        )
    )
    for i, (group, bins) in enumerate(sorted(c.score_histogram.items())):
        width = 100 / max(1, len(bins))
        labels = [f"{round(j * width)}" for j in range(len(bins))]
        kind, suite, backend = group.split("/")
        title = f"Scores: {group_label(kind, int(suite), backend)}"
        charts.append(
            figure(
                f"scores-{i}",
                title,
                f"Ranked results. {score_meaning(kind, int(suite), backend)}",
                lambda narrow, i=i, title=title, labels=labels, bins=bins: svg.column_chart(
                    f"c-scores-{i}", title, labels, list(bins), every=2, narrow=narrow
                ),
                [(f"{round(j * width)}–{round((j + 1) * width)}", v) for j, v in enumerate(bins)],
                "Score",
                "Results",
            )
        )
    months = sorted(c.submissions_per_month.items())
    charts.append(
        figure(
            "months",
            "Results shared each month",
            "The community growing, month by month (results).",
            lambda narrow: svg.column_chart(
                "c-months",
                "Results shared each month",
                [m for m, _ in months],
                [v for _, v in months],
                color=svg.PALETTE[4],
                every=max(1, len(months) // 6),
                narrow=narrow,
            ),
            months,
            "Month",
            "Results",
        )
    )
    for fid, title, lede, data in (
        ("cohorts", "Cohorts", "Which term students joined in (people).", c.cohorts),
        (
            "courses",
            "How people take the course",
            "University, bootcamp or self-paced (people).",
            c.course_types,
        ),
        (
            "countries",
            "Countries",
            "Where students who show their name come from (people).",
            c.countries,
        ),
    ):
        items = sorted(data.items(), key=lambda kv: (-kv[1], kv[0]))
        if fid == "cohorts":
            items = sorted(data.items(), key=lambda kv: pack.cohort_order(kv[0]))
        if items:
            charts.append(
                figure(
                    fid,
                    title,
                    lede,
                    lambda narrow, fid=fid, title=title, items=items: svg.bar_chart(
                        f"c-{fid}", title, items, color=svg.PALETTE[5], narrow=narrow
                    ),
                    items,
                    title,
                )
            )
    return charts
