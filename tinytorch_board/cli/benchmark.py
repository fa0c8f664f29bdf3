"""`tinytorch-board benchmark ...`: measure, score, celebrate; nothing is sent."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from tinytorch_board.cli._util import echo_json, is_interactive, output_console
from tinytorch_board.errors import BoardError

BACKEND_HELP = (
    "Whose code to time: your tinytorch (found in your project), the numpy reference, "
    "or auto (tinytorch when it is complete, else numpy, saying what was missing)."
)


@click.group()
def benchmark() -> None:
    """Run a benchmark on this machine (results stay local)."""


def _backend_option(func):
    return click.option(
        "--backend",
        type=click.Choice(["auto", "numpy", "tinytorch"]),
        default="auto",
        show_default=True,
        help=BACKEND_HELP,
    )(func)


def _prompt_options(func):
    func = click.option(
        "--no-prompt",
        is_flag=True,
        help="Do not offer to submit at the end (never asks anyway without a terminal).",
    )(func)
    return click.option(
        "--json", "as_json", is_flag=True, help="Print the result document as JSON."
    )(func)


@benchmark.command()
@_backend_option
@_prompt_options
@click.pass_obj
def baseline(settings, backend: str, as_json: bool, no_prompt: bool) -> None:
    """Time tensor ops, matmul and a forward pass; two scores, 0-100.

    \b
    Your TinyTorch: your own ops against numpy timed in the same run
      (100 = as fast as numpy, every 2x slower = -10), fair on any machine.
    Your machine: numpy on this machine against the reference machine
      (= 50, every 2x faster = +10); the only score when your package cannot be used.

    Saves to .tito/benchmarks/ of your TinyTorch project (beside tito's own results, which
    are never overwritten). Outside a project it says where it saves: use --project-dir.

    With your tinytorch, each operation is first checked against numpy; a wrong answer
    is reported and not scored.
    """

    from tinytorch_board.bench.baseline import METRIC_LABELS, run_baseline

    project = settings.project()
    result, path = _measure_and_save(
        project,
        "Warming up...",
        lambda progress, now: run_baseline(
            on_metric=progress, now=now, backend=backend, project_root=project.root
        ),
    )
    if as_json:
        echo_json(result)
        return
    console = output_console()
    _print_baseline(console, result, path, METRIC_LABELS)
    if result["score"] is not None:
        for line in closing_lines(project, result, path):
            console.print(line, highlight=False, markup=False)
    _offer_submit(settings, result, path, no_prompt)


def _measure_and_save(project, first_status: str, run):
    """Run a benchmark with a live status line, then save its result file (never over one).

    `run(progress, now)` gets a callback for status text and the run's fixed timestamp,
    which also names the result file.
    """
    from tinytorch_board.clock import utc_now
    from tinytorch_board.local.results import save_result

    note = project.outside_note()
    if note:  # never a silent .tito/ in an arbitrary folder
        click.secho(note, fg="yellow", err=True)
    moment = utc_now()
    with _progress_console().status(first_status) as status:
        result = run(lambda text: status.update(f"{text}..."), lambda: moment)
    try:
        return result, save_result(project.benchmarks_dir, result, moment)
    except (BoardError, OSError):
        # Minutes of measuring are not thrown away: the result goes to stdout, whole.
        click.echo(
            "The result could not be saved; here it is, so nothing measured is lost "
            "(save it as a .json file in .tito/benchmarks/ once there is room):",
            err=True,
        )
        echo_json(result)
        raise


def _progress_console():
    """Progress goes to the stderr of now: the student's code runs with output muted."""
    import sys

    from rich.console import Console

    return Console(file=sys.stderr)


def _print_baseline(console, result: dict, path, labels: dict) -> None:
    from rich.table import Table

    from tinytorch_board.bench.baseline import ratio_line

    details = result.get("details", {})
    failed = details.get("failed", {})
    ratios = details.get("vs_numpy", {})
    table = Table(title=f"Baseline benchmark ({result['backend']} backend)")
    table.add_column("Operation")
    table.add_column("Median", justify="right")
    table.add_column("Spread (IQR)", justify="right")
    table.add_column("Runs", justify="right")
    if ratios or result["backend"] != "numpy":
        table.add_column("vs numpy", justify="right")
    for name, label in labels.items():
        metric = result["metrics"].get(name)
        if metric is None:
            row = [label, "[red]failed[/red]", "-", "-"]
        else:
            noisy = "" if metric.get("converged", True) else " (noisy)"
            row = [
                label,
                _ms(metric["median_ms"]),
                _ms(metric["iqr_ms"]),
                f"{metric['runs']}{noisy}",
            ]
        if len(table.columns) == 5:
            row.append(f"{ratios[name]:.2f}x" if name in ratios else "-")
        table.add_row(*row)
    console.print(table)
    for note in details.get("notes", []):
        console.print(f"[yellow]Note:[/yellow] {note}", highlight=False)
    for name, reason in failed.items():
        console.print(f"[red]✗ {labels.get(name, name)}:[/red] {reason}", highlight=False)
    machine = result.get("machine_score")
    if result["score"] is None:
        for name, ratio in ratios.items():
            console.print(ratio_line(name, ratio), highlight=False)
        console.print(
            f"[bold]No TinyTorch score[/bold]: {len(failed)} of {len(labels)} operations did "
            "not pass, and the score needs all of them. Fix them and run again, "
            "or use --backend numpy to measure the reference."
        )
        if machine is not None:
            console.print(_machine_line(machine), highlight=False)
        console.print(f"Saved to {path} (nothing was sent anywhere).")
        return
    # The scores, each with what it measures, are the closing lines' (bench/welcome.py).
    indent = "  " if result["backend"] == "tinytorch" and machine is not None else ""
    for name, ratio in ratios.items():
        console.print(f"{indent}{ratio_line(name, ratio)}", highlight=False)
    missing = details.get("missing_module")
    if result["backend"] == "numpy" and missing:
        console.print(
            f"No TinyTorch score: your package is missing {missing['package']}; "
            f"module {missing['module']} ({missing['title']}) adds it.",
            highlight=False,
        )
    console.print(f"Saved to {path} (nothing was sent anywhere).")


def _capstone_celebration(implementations: dict) -> str:
    """Claim only what the student's own code did."""
    yours = {name for name, e in implementations.items() if e.get("implementation") == "tinytorch"}
    did = []
    if "accuracy" in yours:
        did.append("trained a model with your own autograd and optimizer")
    if "speed" in yours or "efficiency" in yours:
        did.append("timed your own forward pass")
    if "compression" in yours:
        did.append("quantized it with your own int8 quantizer")
    if not did:
        return (
            "🎓 The reference code ran every track this time; the lines above say what "
            "your tinytorch needs for each one to be yours."
        )
    text = ", ".join(did[:-1]) + (" and " if len(did) > 1 else "") + did[-1]
    return f"🎓 You {text}, on your own machine!"


def _machine_line(score: float) -> str:
    from tinytorch_board.bench.welcome import machine_line

    return machine_line(score)


def closing_lines(project, result: dict, path) -> list[str]:
    """The welcome (first baseline here) or what changed (later runs), with the standing."""
    from tinytorch_board.bench.welcome import change_lines, done_since, welcome_lines
    from tinytorch_board.local.progress import read_progress

    progress = read_progress(project)
    modules, milestones = progress.modules_completed, progress.milestones_completed
    standing, known_board = _standing_line(project, result)
    if known_board:
        tip = (
            "Next: tinytorch-board submit --dry-run shows exactly what sharing would send; "
            "nothing leaves without your yes"
        )
    else:
        tip = (
            "Next: tinytorch-board compare --from URL|DIR shows where you stand (computed here, "
            "nothing uploaded)"
        )
    ours, comparable = _earlier_results(project, result, path)
    if not ours:
        return welcome_lines(result, modules, milestones, standing, tip)
    # The score moves only against a comparable run; modules and milestones since any run.
    previous = comparable[-1] if comparable else None
    since = (previous or ours[-1]).get("created_at")
    return change_lines(
        result,
        previous,
        modules,
        milestones,
        done_since(progress.module_dates, since) & modules,
        done_since(progress.milestone_dates, since) & milestones,
        standing,
        tip,
    )


def _earlier_results(project, result: dict, path) -> tuple[list[dict], list[dict]]:
    """This project's earlier results of ours (any kind, backend or suite: the welcome is
    for the first one only), and those among them comparable with `result`."""
    from pathlib import Path

    from tinytorch_board.local.results import load_result, result_files

    ours, comparable = [], []
    this = Path(path).resolve() if path is not None else None
    for other in result_files(project.benchmarks_dir):
        if this is not None and Path(other).resolve() == this:
            continue
        try:
            data = load_result(other)
        except BoardError:
            continue  # tito's results and unreadable files are not ours to compare
        ours.append(data)
        same = all(data.get(key) == result.get(key) for key in ("kind", "backend", "suite_version"))
        if same and isinstance(data.get("score"), (int, float)):
            comparable.append(data)
    return ours, comparable


def _standing_line(project, result: dict) -> tuple[str | None, bool]:
    """Where the result stands on the known board, and whether a board is known at all."""
    from tinytorch_board.board.standing import find_sources, where_you_stand

    sources = find_sources(project)
    if not sources.candidates:
        return None, False

    def offline(reason: str) -> None:
        click.echo(f"offline: {reason}", err=True)

    return where_you_stand(result, sources, project.cache_dir, offline=offline), True


def submit_command(settings, path) -> str:
    """The exact command that submits this result file."""
    parts = ["tinytorch-board"]
    if settings.project_dir is not None:
        parts += ["--project-dir", str(settings.project_dir)]
    parts += ["submit", str(path)]
    return " ".join(shlex.quote(part) for part in parts)


def _offer_submit(settings, result: dict, path, no_prompt: bool) -> None:
    """Ask (default no) whether to share; yes goes straight into submit (preview, confirm)."""
    import os

    from tinytorch_board.cli.submit import default_target, submit

    if no_prompt or result["score"] is None or not is_interactive():
        return
    project = settings.project()
    env_board = os.environ.get("TINYTORCH_BOARD_DIR")
    target = default_target(project, env_board or None, None, None, False)
    if target is None or target.type == "web":
        return  # nowhere to send it: the tip above says how to find a board
    where = target.board_dir or target.repo
    if click.confirm(f"Would you like to share this result with {where}?", default=False):
        click.get_current_context().invoke(
            submit,
            result=path,
            board_dir=Path(target.board_dir) if target.type == "local" else None,
            repo=target.repo if target.type == "github" else None,
        )


def _ms(value: float) -> str:
    return f"{value * 1000:.1f} µs" if value < 1 else f"{value:.2f} ms"


@benchmark.command()
@click.option(
    "--track",
    type=click.Choice(["all", "accuracy", "speed", "compression", "efficiency"]),
    default="all",
    show_default=True,
    help="Which capstone track to run (all = the four, within a minute even on looped code).",
)
@_backend_option
@_prompt_options
@click.pass_obj
def capstone(settings, track: str, backend: str, as_json: bool, no_prompt: bool) -> None:
    """Train a small MLP, then score accuracy, speed, compression and efficiency (0-100 each).

    The model and dataset are fixed and generated locally (no downloads). Each piece of
    your tinytorch is checked against numpy first and, when it agrees, does the work:
    your autograd and optimizer train the model (accuracy), your quantize_int8 compresses
    it, your Tensor/Linear/ReLU run it (speed, efficiency). Each track says whose code
    ran and why; your code's prints are captured and its calls have time limits.
    """
    from tinytorch_board.bench.capstone import run_capstone
    from tinytorch_board.submission.score import CAPSTONE_TRACKS

    project = settings.project()
    tracks = CAPSTONE_TRACKS if track == "all" else (track,)
    result, path = _measure_and_save(
        project,
        "Preparing the capstone...",
        lambda progress, now: run_capstone(
            tracks, on_progress=progress, now=now, backend=backend, project_root=project.root
        ),
    )
    if as_json:
        echo_json(result)
        return
    _print_capstone(output_console(), result, path)
    _offer_submit(settings, result, path, no_prompt)


def _print_capstone(console, result: dict, path) -> None:
    from rich.table import Table

    from tinytorch_board.bench.capstone import TRACK_LABELS, describe_metrics

    details = result.get("details", {})
    implementations = details.get("implementation", {})
    table = Table(title="Capstone")
    table.add_column("Track")
    table.add_column("Measured")
    table.add_column("Whose code", justify="center")
    table.add_column("Score", justify="right")
    for name, label in TRACK_LABELS.items():
        track = result["tracks"].get(name)
        if track is None:
            why = details.get("not_run", {}).get(name, "did not run")
            table.add_row(label, f"[dim]not run: {why}[/dim]", "-", "-")
        else:
            who = implementations.get(name, {}).get("implementation", "-")
            shown = "yours" if who == "tinytorch" else who
            table.add_row(
                label, describe_metrics(name, track["metrics"]), shown, f"{track['score']:.1f}"
            )
    console.print(table)
    for name, label in TRACK_LABELS.items():
        entry = implementations.get(name)
        if entry:
            mark = "[green]yours[/green]" if entry["implementation"] == "tinytorch" else "reference"
            console.print(f"{label}: {mark}, {entry['reason']}", highlight=False)
    for note in details.get("notes", []):
        console.print(f"[yellow]Note:[/yellow] {note}", highlight=False)
    if result["score"] is None:
        console.print(f"[bold]No score[/bold]: no track ran. Saved to {path}.")
        return
    ran = sum(1 for t in result["tracks"].values() if t is not None)
    console.print(
        f"[bold]Capstone score: {result['score']:.1f}[/bold] / 100  "
        f"(mean of the {ran} track{'s' if ran != 1 else ''} that ran)"
    )
    console.print(_capstone_celebration(implementations), highlight=False)
    console.print(f"Saved to {path} (nothing was sent anywhere).")
    console.print(
        "Next: [bold]tinytorch-board submit --dry-run[/bold] "
        "to see exactly what sharing would send."
    )
