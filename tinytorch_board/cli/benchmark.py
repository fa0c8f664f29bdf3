"""`tinytorch-board benchmark ...`: measure, score, celebrate; nothing is sent."""

from __future__ import annotations

import click

from tinytorch_board.cli._util import echo_json


@click.group()
def benchmark() -> None:
    """Run a benchmark on this machine (results stay local)."""


@benchmark.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result document as JSON.")
@click.pass_obj
def baseline(settings, as_json: bool) -> None:
    """Time tensor ops, matmul and a forward pass; score 0-100 (reference machine = 50)."""
    from rich.console import Console

    from tinytorch_board.bench.baseline import METRIC_LABELS, run_baseline, utc_now
    from tinytorch_board.local.results import save_result

    project = settings.project()
    err = Console(stderr=True)
    moment = utc_now()
    with err.status("Warming up...") as status:
        result = run_baseline(
            on_metric=lambda name: status.update(f"Measuring {METRIC_LABELS[name]}..."),
            now=lambda: moment,
        )
    path = save_result(project.benchmarks_dir, result, moment)
    if as_json:
        echo_json(result)
        return
    _print_baseline(Console(), result, path, METRIC_LABELS)


def _print_baseline(console, result: dict, path, labels: dict) -> None:
    from rich.table import Table

    table = Table(title=f"Baseline benchmark ({result['backend']} backend)")
    table.add_column("Operation")
    table.add_column("Median", justify="right")
    table.add_column("Spread (IQR)", justify="right")
    table.add_column("Runs", justify="right")
    for name, metric in result["metrics"].items():
        table.add_row(
            labels.get(name, name),
            _ms(metric["median_ms"]),
            _ms(metric["iqr_ms"]),
            f"{metric['runs']}{'' if metric.get('converged', True) else ' (noisy)'}",
        )
    console.print(table)
    console.print(
        f"[bold]Score: {result['score']:.1f}[/bold] / 100  "
        "(reference machine = 50; every 2x faster = +10)"
    )
    console.print("🎉 Your setup works: you just benchmarked a real ML workload on your machine!")
    console.print(f"Saved to {path} (nothing was sent anywhere).")
    console.print(
        "Next: [bold]tinytorch-board submit --dry-run[/bold] "
        "to see exactly what sharing would send."
    )


def _ms(value: float) -> str:
    return f"{value * 1000:.1f} µs" if value < 1 else f"{value:.2f} ms"
