"""`tinytorch-board benchmark ...`: measure, score, celebrate; nothing is sent."""

from __future__ import annotations

import shlex

import click

from tinytorch_board.cli._util import echo_json, is_interactive
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
    from rich.console import Console

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
    _print_baseline(Console(), result, path, METRIC_LABELS)
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
    if result["backend"] == "tinytorch" and machine is not None:
        console.print(
            f"[bold]Your TinyTorch: {result['score']:.1f}[/bold] / 100  ({FRAMEWORK_SENTENCE})"
        )
        for name, ratio in ratios.items():
            console.print(f"  {ratio_line(name, ratio)}", highlight=False)
        console.print(_machine_line(machine), highlight=False)
        console.print(
            "🎉 Your own tinytorch gave the right answers and was timed against numpy "
            "on a real workload!"
        )
    elif result["backend"] == "tinytorch":  # a suite 1 file: one number, numpy-relative
        console.print(
            f"[bold]Score: {result['score']:.1f}[/bold] / 100  "
            "(reference machine = 50; every 2x faster = +10)"
        )
        for name, ratio in ratios.items():
            console.print(ratio_line(name, ratio), highlight=False)
    else:
        console.print(_machine_line(result["score"]), highlight=False)
        missing = details.get("missing_module")
        if missing:
            console.print(
                f"No TinyTorch score: your package is missing {missing['package']}; "
                f"module {missing['module']} ({missing['title']}) adds it.",
                highlight=False,
            )
        else:
            console.print("🎉 Your setup works: numpy ran a real ML workload on your machine.")
    console.print(f"Saved to {path} (nothing was sent anywhere).")
    console.print(
        "Next: [bold]tinytorch-board compare[/bold] to see where you stand (nothing is uploaded), "
        "or [bold]tinytorch-board submit --dry-run[/bold] to see exactly what sharing would send."
    )


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


FRAMEWORK_SENTENCE = (
    "your own ops against numpy timed in the same run: 100 = as fast as numpy, "
    "every 2x slower = -10"
)
MACHINE_SENTENCE = "numpy on this machine against the reference machine = 50, every 2x faster = +10"


def _machine_line(score: float) -> str:
    return f"Your machine: {score:.1f} / 100  ({MACHINE_SENTENCE})"


def submit_command(settings, path) -> str:
    """The exact command that submits this result file."""
    parts = ["tinytorch-board"]
    if settings.project_dir is not None:
        parts += ["--project-dir", str(settings.project_dir)]
    parts += ["submit", str(path)]
    return " ".join(shlex.quote(part) for part in parts)


def _offer_submit(settings, result: dict, path, no_prompt: bool) -> None:
    """Ask (default no) whether to submit; on yes, say which command does it."""
    if no_prompt or result["score"] is None or not is_interactive():
        return
    if click.confirm(
        "Would you like to share this result with the community board?", default=False
    ):
        click.echo("To share it, run (it shows the exact file and asks again before sending):")
        click.echo(f"    {submit_command(settings, path)}")


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
    from rich.console import Console

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
    _print_capstone(Console(), result, path)
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
