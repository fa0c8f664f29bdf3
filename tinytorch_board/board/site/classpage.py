"""Class pages: `class/<class_id>.html` (k-anonymous figures) and `api/class/<class_id>.json`."""

from __future__ import annotations

from tinytorch_board.board.class_stats import SCORE_BINS, ClassView
from tinytorch_board.board.classroom import class_api_document
from tinytorch_board.board.site import svg
from tinytorch_board.board.site.charts import figure
from tinytorch_board.curriculum import MODULE_COUNT
from tinytorch_board.submission.score import group_label


def class_charts(view: ClassView) -> list[dict]:
    """The class page's pictures, each with its table (empty below k)."""
    if not view.aggregates:
        return []
    charts = [
        figure(
            "milestones",
            "Milestones reached",
            "How many of the class reached each milestone.",
            lambda narrow: svg.bar_chart(
                "k-milestones", "Milestones reached", view.milestone_funnel, narrow=narrow
            ),
            view.milestone_funnel,
            "Milestone",
        )
    ]
    labels = [str(i) for i in range(MODULE_COUNT + 1)]
    charts.append(
        figure(
            "modules",
            "Modules completed",
            "Each student counted once, at the furthest module they reported.",
            lambda narrow: svg.column_chart(
                "k-modules",
                "Modules completed",
                labels,
                view.modules_histogram,
                every=2,
                narrow=narrow,
            ),
            list(zip(labels, view.modules_histogram, strict=True)),
            "Modules",
        )
    )
    width = 100 / SCORE_BINS
    for i, (group, (ours, everyone)) in enumerate(sorted(view.scores.items())):
        kind, suite, backend = group.split("/")
        title = f"Scores: {group_label(kind, int(suite), backend)}"
        bins = [f"{round(j * width)}–{round((j + 1) * width)}" for j in range(SCORE_BINS)]
        charts.append(
            figure(
                f"scores-{i}",
                title,
                "Top: this class's results per score band; below: everyone's.",
                lambda narrow, i=i, title=title, ours=ours, everyone=everyone, bins=bins: (
                    svg.column_chart(
                        f"k-scores-{i}",
                        f"{title}, this class",
                        [b.split("–")[0] for b in bins],
                        ours,
                        every=2,
                        narrow=narrow,
                    )
                    + svg.column_chart(
                        f"k-scores-all-{i}",
                        f"{title}, everyone",
                        [b.split("–")[0] for b in bins],
                        everyone,
                        color=svg.PALETTE[4],
                        every=2,
                        narrow=narrow,
                    )
                ),
                [(b, f"{o} (everyone: {e})") for b, o, e in zip(bins, ours, everyone, strict=True)],
                "Score",
                "This class",
            )
        )
    charts.append(
        figure(
            "weeks",
            "Results over the term",
            "Results shared each week.",
            lambda narrow: svg.column_chart(
                "k-weeks",
                "Results over the term",
                [w for w, _ in view.per_week],
                [n for _, n in view.per_week],
                color=svg.PALETTE[3],
                every=max(1, len(view.per_week) // 6),
                narrow=narrow,
            ),
            view.per_week,
            "Week",
            "Results",
        )
    )
    return charts


def write_class_pages(
    views: list[ClassView], rows: dict[str, list[dict]], write, env, common
) -> int:
    """Every class's page and API file; returns the number of pages."""
    template = env.get_template("class.html")
    for view in views:
        cid = view.info.class_id
        write.text(
            f"class/{cid}.html",
            template.render(
                **common, root="../", page_kind="class", view=view, charts=class_charts(view)
            ),
        )
        write.compact_json(
            f"api/class/{cid}.json", class_api_document(view.info.as_dict(), rows.get(cid, []))
        )
    return len(views)
