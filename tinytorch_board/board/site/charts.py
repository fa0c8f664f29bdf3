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
    svg: Markup
    rows: list[tuple[str, int]]
    label_heading: str
    value_heading: str


def _figure(fid, title, lede, svg_text, items, label_heading, value_heading="People") -> Figure:
    return {
        "id": fid,
        "title": title,
        "lede": lede,
        "svg": Markup(svg_text),  # built by svg.py, which escapes every label
        "rows": items,
        "label_heading": label_heading,
        "value_heading": value_heading,
    }


def community_charts(stats: BoardStats) -> list[Figure]:
    """The community page's pictures, each with the table it was drawn from."""
    c = stats.community
    charts = []
    funnel = [(m.label, c.milestone_reached.get(m.id, 0)) for m in MILESTONES]
    charts.append(
        _figure(
            "milestones",
            "Milestones reached",
            "From the 1957 Perceptron to MLPerf: how many of us got there.",
            svg.bar_chart("c-milestones", "Milestones reached", funnel, color=svg.PALETTE[2]),
            funnel,
            "Milestone",
        )
    )
    modules = list(c.modules_histogram) or [0] * (MODULE_COUNT + 1)
    charts.append(
        _figure(
            "modules",
            "Modules completed",
            "How far along the 20 modules people were when they shared a result.",
            svg.column_chart(
                "c-modules",
                "Modules completed",
                [str(i) for i in range(len(modules))],
                modules,
                color=svg.PALETTE[3],
                every=2,
            ),
            [(str(i), v) for i, v in enumerate(modules)],
            "Modules",
            "Results",
        )
    )
    systems = sorted(c.systems.items(), key=lambda kv: (-kv[1], kv[0]))
    charts.append(
        _figure(
            "systems",
            "Kinds of computer",
            "Laptops, desktops, old and new: every machine is welcome.",
            svg.bar_chart("c-systems", "Kinds of computer", systems, color=svg.PALETTE[1]),
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
            _figure(
                f"scores-{i}",
                title,
                scale_sentence(kind, int(suite), backend),
                svg.column_chart(f"c-scores-{i}", title, labels, list(bins), every=2),
                [(f"{round(j * width)}–{round((j + 1) * width)}", v) for j, v in enumerate(bins)],
                "Score",
                "Results",
            )
        )
    months = sorted(c.submissions_per_month.items())
    charts.append(
        _figure(
            "months",
            "Results shared each month",
            "The community growing, month by month.",
            svg.column_chart(
                "c-months",
                "Results shared each month",
                [m for m, _ in months],
                [v for _, v in months],
                color=svg.PALETTE[4],
                every=max(1, len(months) // 6),
            ),
            months,
            "Month",
            "Results",
        )
    )
    for fid, title, lede, data in (
        ("cohorts", "Cohorts", "Which term people joined in.", c.cohorts),
        (
            "courses",
            "How people take the course",
            "University, bootcamp or self-paced.",
            c.course_types,
        ),
        ("countries", "Countries", "Where public entries come from.", c.countries),
    ):
        items = sorted(data.items(), key=lambda kv: (-kv[1], kv[0]))
        if fid == "cohorts":
            items = sorted(data.items(), key=lambda kv: pack.cohort_order(kv[0]))
        if items:
            charts.append(
                _figure(
                    fid,
                    title,
                    lede,
                    svg.bar_chart(f"c-{fid}", title, items, color=svg.PALETTE[5]),
                    items,
                    title,
                )
            )
    return charts
