"""`tinytorch-board community ...`: a profile kept on this machine, and how you compare."""

from __future__ import annotations

from pathlib import Path

import click

from tinytorch_board.cli import _util
from tinytorch_board.cli._util import echo_json, warn

COURSE_TYPES = "university|bootcamp|self-paced|other"
LEVELS = "beginner|intermediate|advanced|expert"

# (option name, field, question, hint for the prompt)
QUESTIONS = (
    ("country", "country", "Country", "a two-letter code such as US, DE or IN"),
    ("institution", "institution", "Institution", "university, school or company"),
    ("course_type", "course_type", "Course type", COURSE_TYPES.replace("|", ", ")),
    ("experience", "experience_level", "Experience level", LEVELS.replace("|", ", ")),
)


def answer_options(command):
    """The four optional questions as flags (an empty value clears an answer)."""
    options = (
        click.option(
            "--country",
            metavar="CODE",
            help="Two-letter ISO 3166-1 country code (e.g. US, DE). Never detected for you.",
        ),
        click.option("--institution", metavar="TEXT", help="Your university, school or company."),
        click.option(
            "--course-type", metavar=f"[{COURSE_TYPES}]", help="How you are taking the course."
        ),
        click.option("--experience", metavar=f"[{LEVELS}]", help="Your ML experience level."),
    )
    for option in reversed(options):
        command = option(command)
    return command


def _given(values: dict[str, str | None]) -> dict[str, str | None]:
    """Checked answers for the flags that were given, keyed by profile field."""
    from tinytorch_board.errors import BoardError
    from tinytorch_board.local.profile import normalize_answer

    answers = {}
    for option, field_name, _, _ in QUESTIONS:
        if values.get(option) is not None:
            try:
                answers[field_name] = normalize_answer(field_name, values[option])
            except BoardError as exc:
                hint = f"--{option.replace('_', '-')}"
                raise click.BadParameter(str(exc), param_hint=hint) from None
    return answers


def _ask(field_name: str, question: str, hint: str, current: str | None) -> str | None:
    """One skippable question; re-asks until the answer is valid."""
    from tinytorch_board.errors import BoardError
    from tinytorch_board.local.profile import normalize_answer

    def convert(text: str) -> str | None:
        text = text.strip()
        if text == "":
            return current
        if text == "-":
            return None
        try:
            return normalize_answer(field_name, text)
        except BoardError as exc:
            raise click.BadParameter(str(exc)) from None

    if current:
        prompt = f"{question} [{current}] ({hint}; Enter keeps it, - clears it)"
    else:
        prompt = f"{question} ({hint}; Enter to skip)"
    return click.prompt(prompt, default="", show_default=False, value_proc=convert)


def _ask_all(current: dict[str, str | None]) -> dict[str, str | None]:
    return {
        field_name: _ask(field_name, question, hint, current.get(field_name))
        for _, field_name, question, hint in QUESTIONS
    }


def _progress_line(progress: dict) -> str:
    return (
        f"{progress.get('modules_completed', 0)}/20 modules, "
        f"{progress.get('milestones_passed', 0)}/6 milestones completed"
    )


class InOrder(click.Group):
    """Lists subcommands in the order a student meets them, not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=InOrder)
def community() -> None:
    """Your community profile (kept on this machine only) and how you compare.

    Nothing here sends anything: the profile lives in .tinytorch/community/profile.json.
    """


@community.command()
@answer_options
@click.option("--yes", is_flag=True, help="Ask nothing; save only the answers given as flags.")
@click.option("--json", "as_json", is_flag=True, help="Print the saved profile as JSON.")
@click.pass_obj
def join(settings, yes: bool, as_json: bool, **flags) -> None:
    """Create your anonymous community profile (every question is optional).

    Shows what is stored first. Asks the questions only in a terminal when no flags
    are given; otherwise saves exactly the flags you gave.
    """
    from tinytorch_board.clock import utc_now
    from tinytorch_board.local.community import ensure_not_joined
    from tinytorch_board.local.community import join as join_community
    from tinytorch_board.local.profile import PRIVACY_NOTICE

    project = settings.project()
    answers = _given(flags)
    ensure_not_joined(project)
    click.echo(PRIVACY_NOTICE.format(path=project.profile_path), err=as_json)
    if not answers and not yes and not as_json and _util.is_interactive():
        click.echo("")
        answers = _ask_all({})
        shown = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in answers.items() if v)
        click.echo(f"\nYour answers: {shown or 'none (that is fine)'}")
        if not click.confirm("Save this profile?", default=True):
            click.echo("Nothing was saved.")
            return
    outcome = join_community(project, answers, utc_now())
    for message in outcome.warnings:
        warn(message)
    if as_json:
        echo_json({"joined": True, "path": str(outcome.path), "profile": outcome.profile})
        return
    cohort = outcome.profile["context"]["cohort"]
    click.secho(
        f"\nWelcome to the TinyTorch community! You are part of the {cohort} cohort.", bold=True
    )
    click.echo(f"Your progress so far: {_progress_line(outcome.progress)}.")
    click.echo(f"Saved to {outcome.path} (nothing was sent anywhere).")
    click.echo(
        "Next: `tinytorch-board community stats` to see how you compare "
        "(works offline too), `community update` to change your answers."
    )


@community.command()
@answer_options
@click.option("--yes", is_flag=True, help="Ask nothing; change only the flags given.")
@click.option("--json", "as_json", is_flag=True, help="Print the saved profile as JSON.")
@click.pass_obj
def update(settings, yes: bool, as_json: bool, **flags) -> None:
    """Change your answers and refresh your progress from TinyTorch's files.

    An empty flag value (e.g. --institution "") clears that answer. In a terminal with no
    flags, asks each question again showing the current answer.
    """
    from tinytorch_board.clock import utc_now
    from tinytorch_board.local.community import require_profile
    from tinytorch_board.local.community import update as update_community

    project = settings.project()
    changes = _given(flags)
    if not changes and not yes and not as_json and _util.is_interactive():
        current = require_profile(project).answers()
        changes = _ask_all(current)
    outcome = update_community(project, changes, utc_now())
    for message in outcome.warnings:
        warn(message)
    if as_json:
        echo_json(
            {"updated": outcome.changed, "path": str(outcome.path), "profile": outcome.profile}
        )
        return
    if outcome.changed:
        click.echo(
            "Updated: " + ", ".join(name.replace("_", " ") for name in outcome.changed) + "."
        )
    else:
        click.echo("No answers changed.")
    if outcome.from_tinytorch:
        click.echo(
            "Your profile stays in the shape TinyTorch's tito wrote (tito still reads it); "
            "what tito has no field for is kept in board.json beside it."
        )
    click.echo(f"Progress refreshed from TinyTorch's files: {_progress_line(outcome.progress)}.")
    click.echo(f"Saved to {outcome.path} (nothing was sent anywhere).")


@community.command()
@click.option("--force", is_flag=True, help="Remove the profile without asking.")
@click.pass_obj
def leave(settings, force: bool) -> None:
    """Remove your community profile and our ids beside it (and nothing else).

    Your benchmark results and submission records stay where they are. The profile may be
    TinyTorch's own (tito community uses the same file): this removes it for tito too.
    """
    from tinytorch_board.local.community import leave as leave_community

    project = settings.project()
    if not project.profile_path.exists():
        click.echo(f"You have not joined: there is no {project.profile_path} to remove.")
        return
    if not _util.confirm_or_refuse(
        f"Remove {project.profile_path}?", force, "re-run with --force to remove it"
    ):
        click.echo("Nothing was removed.")
        return
    outcome = leave_community(project)
    click.echo(f"Removed {outcome.removed}.")
    click.echo(
        f"Kept: {outcome.results_kept} benchmark result(s) in {project.benchmarks_dir} and "
        f"{outcome.submissions_kept} submission record(s) in {project.outbox_dir}. "
        "Results already on a board stay there."
    )
    click.echo("Join again any time with `tinytorch-board community join` (you get new ids).")


@community.command()
@click.option("--json", "as_json", is_flag=True, help="Print the profile and progress as JSON.")
@click.pass_obj
def profile(settings, as_json: bool) -> None:
    """Show your profile and your progress (modules, milestones, benchmarks) as a table."""
    from tinytorch_board.clock import utc_now
    from tinytorch_board.local.community import view_profile

    project = settings.project()
    view = view_profile(project, utc_now())
    for message in view.warnings:
        warn(message)
    if as_json:
        echo_json(view.as_dict())
        return
    _print_profile(view, project.profile_path)


def _or_dash(value: object) -> str:
    return "-" if value in (None, "") else str(value)


def _print_profile(view, path: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from tinytorch_board.curriculum import (
        MILESTONE_COUNT,
        MODULE_COUNT,
        milestone_by_id,
        module_by_id,
    )

    loaded = view.loaded
    facts = loaded.facts()
    current = view.current
    table = Table(title="Your TinyTorch community profile", show_header=False)
    table.add_column("Field", style="bold")
    table.add_column("Value", overflow="fold")
    joined = _or_dash((facts["joined_at"] or "")[:10])
    if view.days_since_join is not None:
        joined += f" ({view.days_since_join} days ago)"
    rows = [
        ("Anonymous id", _or_dash(loaded.anonymous_id)),
        ("Public id", f"{loaded.public_id} (used only if you submit publicly)"),
        ("Joined", joined),
        ("Cohort", _or_dash(facts["cohort"])),
        ("Country", _or_dash(facts["country"])),
        ("Institution", _or_dash(facts["institution"])),
        ("Course type", _or_dash(facts["course_type"])),
        ("Experience", _or_dash(facts["experience_level"])),
    ]
    modules = [module_by_id(m) for m in current["completed_modules"]]
    milestones = [milestone_by_id(m) for m in current["completed_milestones"]]
    rows += [
        (
            "Modules",
            f"{current['modules_completed']}/{MODULE_COUNT}"
            + (": " + ", ".join(f"{m.id} {m.title}" for m in modules) if modules else ""),
        ),
        (
            "Milestones",
            f"{current['milestones_passed']}/{MILESTONE_COUNT}"
            + (": " + ", ".join(m.label for m in milestones) if milestones else ""),
        ),
        ("Milestones unlocked", str(len(current["unlocked_milestones"]))),
        ("Setup verified", "yes (a baseline ran)" if current["setup_verified"] else "not yet"),
        ("Benchmark runs", str(current["benchmark_runs"])),
        ("Capstone score", _or_dash(current["capstone_score"])),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console = Console()
    console.print(table)
    saved = loaded.saved_progress
    keys = ("completed_modules", "completed_milestones", "unlocked_milestones", "capstone_score")
    if not all(k in saved for k in keys):
        keys = ("modules_completed", "milestones_passed")
    if any(saved.get(k) != current[k] for k in keys):
        console.print(
            "Your progress changed since the profile was saved; "
            "`tinytorch-board community update` saves it."
        )
    if view.from_tinytorch:
        console.print(
            f"This profile was written by TinyTorch's tito ({loaded.shape} shape); it is read "
            "as it is, and `community update` keeps tito's shape."
        )
    console.print(f"Stored only in {path}; nothing is sent.", soft_wrap=True)


@community.command()
@click.option(
    "--board",
    "board_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="A local board or built site directory to compare with (default: config board.pages_url).",
)
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
@click.pass_obj
def stats(settings, board_dir: Path | None, as_json: bool) -> None:
    """Your local figures and, when a board is reachable, the community's and your percentile.

    Only downloads the board's published distribution; nothing is uploaded. Offline is
    fine: local figures are always shown.
    """
    from tinytorch_board.board.standing import community_figures, find_sources
    from tinytorch_board.clock import utc_now
    from tinytorch_board.local.community import STATS_VERSION, local_stats
    from tinytorch_board.publish.outbox import count_by_status

    project = settings.project()
    submissions, outbox_warnings = count_by_status(project.outbox_dir)
    local, warnings, results = local_stats(project, utc_now(), submissions)
    sources = find_sources(project, board_dir, option="--board DIR")
    community = community_figures(
        sources,
        local["profile"]["cohort"],
        {"latest": results.latest, "best": results.best},
        project.cache_dir,
    )
    figures = {
        "stats_version": STATS_VERSION,
        "local": local,
        "community": community,
        "warnings": warnings + outbox_warnings + list(sources.warnings),
    }
    for message in figures["warnings"]:
        warn(message)
    if as_json:
        echo_json(figures)
        return
    _print_stats(figures)


def _result_line(result: dict | None) -> str:
    if not result:
        return "none yet (run `tinytorch-board benchmark baseline`)"
    when = result["created_at"][:10]
    return f"{result['score']:.1f} ({result['kind']}, {result['backend']}, {when})"


def _print_stats(figures: dict) -> None:
    local = figures["local"]
    bench = local["benchmarks"]
    click.secho("On this machine", bold=True)
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(bench["by_kind"].items()))
    click.echo(f"  Benchmarks run:  {bench['runs']}" + (f" ({kinds})" if kinds else ""))
    click.echo(f"  Latest score:    {_result_line(bench['latest'])}")
    if bench["runs"] > 1:
        click.echo(f"  Best score:      {_result_line(bench['best'])}")
    subs = local["submissions"]
    click.echo(
        f"  Submissions:     {subs.get('sent', 0)} sent, {subs.get('prepared', 0)} prepared, "
        f"{subs.get('failed', 0)} failed, {subs.get('withdrawn', 0)} withdrawn"
    )
    click.echo(f"  Modules:         {local['modules']['completed']}/{local['modules']['total']}")
    ms = local["milestones"]
    click.echo(f"  Milestones:      {ms['completed']}/{ms['total']} ({ms['unlocked']} unlocked)")
    prof = local["profile"]
    if prof["joined"]:
        click.echo(
            f"  Profile:         cohort {prof['cohort'] or 'unknown'}, "
            f"joined {prof['days_since_join']} days ago"
        )
    else:
        click.echo("  Profile:         not joined (`tinytorch-board community join`, optional)")

    remote = figures["community"]
    click.secho("\nCommunity", bold=True)
    if remote["status"] == "offline":
        click.echo(f"  offline: {remote['reason']}")
        click.echo("  (that is fine: your local figures above are complete)")
        return
    origin = remote["source"]
    if remote["status"] == "cached":
        click.echo(f"  offline, using the copy saved {remote.get('cached')}: {remote['reason']}")
    click.echo(f"  Source:          {origin} (generated {_or_dash(remote['generated_at'])})")
    totals = remote["totals"]
    click.echo(
        f"  Submissions:     {_or_dash(totals['submissions'])} from "
        f"{_or_dash(totals['participants'])} participants "
        f"({_or_dash(totals['public_entries'])} public)"
    )
    cohort = remote["cohort"]
    if cohort:
        size = cohort["size"] if cohort["size"] is not None else cohort["note"]
        click.echo(f"  Your cohort:     {cohort['name']}: {size}")
    else:
        click.echo("  Your cohort:     unknown (`community join` records it; optional)")
    for label, key in (("Latest result", "latest"), ("Best result", "best")):
        placed = remote["placement"][key]
        if placed is None:
            if key == "latest":
                click.echo("  Your place:      run a benchmark first to see where you stand")
            continue
        if key == "best" and placed["file"] == remote["placement"]["latest"]["file"]:
            continue
        if placed["placed"]:
            click.echo(
                f"  {label + ':':<16} {placed['score']:.1f}, percentile "
                f"{placed['percentile']:.1f}. {placed['sentence']}"
            )
        else:
            click.echo(
                f"  {label + ':':<16} {placed['score']:.1f} ({placed['group']}): {placed['note']}"
            )
