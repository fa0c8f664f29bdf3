"""`tinytorch-board class ...`: a class on the board, its students kept anonymous in public."""

from __future__ import annotations

from pathlib import Path

import click

from tinytorch_board.cli._util import confirm_or_refuse, echo_json, warn

ROSTER = click.option(
    "--roster",
    "roster_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your private roster (CSV name,participant_id; kept outside any board, mode 0600).",
)


@click.group("class")
def classroom() -> None:
    """Classes: students hand in a receipt, instructors follow their class's progress.

    In public a class shows only k-anonymous figures; which participant is which student
    is known only from the instructor's private roster, on the instructor's machine.
    """


@classroom.command("join")
@click.argument("class_id")
@click.option(
    "--public-id",
    "public",
    is_flag=True,
    help="Hand in your public id instead of the anonymous one (links your name to your "
    "public results only).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the receipt as one JSON object.")
@click.pass_obj
def join(settings, class_id: str, public: bool, as_json: bool) -> None:
    """Join CLASS_ID: record it here and print the receipt to hand in. Nothing is sent.

    Creates your profile and ids if you have none yet. Your later submissions declare the
    class (`submit --no-class` keeps one out of it).
    """
    from tinytorch_board.clock import utc_now
    from tinytorch_board.publish.classroom import (
        WHAT_ANONYMOUS_LINKS,
        WHAT_PUBLIC_LINKS,
        join_class,
    )

    joined = join_class(settings.project(), class_id, utc_now(), public=public)
    for message in joined.warnings:
        warn(message)
    receipt = joined.receipt
    if as_json:
        echo_json(receipt.as_dict())
        return
    if joined.created_profile:
        click.echo("Created your community profile (kept on this machine only).")
    if joined.previous_class:
        click.echo(f"Left class {joined.previous_class}: later submissions declare the new one.")
    click.echo("Hand this receipt to your instructor (nothing was sent):\n")
    click.echo(f"  class_id:       {receipt.class_id}")
    click.echo(f"  participant_id: {receipt.participant_id}")
    click.echo(f"  date:           {receipt.joined_on}\n")
    click.echo(WHAT_PUBLIC_LINKS if public else WHAT_ANONYMOUS_LINKS)
    click.echo("As a file: tinytorch-board class join " + class_id + " --json > receipt.json")


@classroom.command("create")
@click.argument("name")
@click.option(
    "--instructor",
    "instructors",
    multiple=True,
    required=True,
    metavar="LOGIN",
    help="GitHub login of an instructor (repeat for several); they may change the class.",
)
@click.option("--starts", metavar="YYYY-MM-DD", help="First day of the term (default: today).")
@click.option("--ends", metavar="YYYY-MM-DD", help="Last day results count for the class.")
@click.option(
    "--to",
    "board_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Board directory on this machine to write the class file to.",
)
@click.option("--repo", metavar="OWNER/NAME", help="GitHub board: open a pull request.")
@click.option("--api-url", help="GitHub API URL (GitHub Enterprise); default api.github.com.")
@click.option("--token", "token_option", help="GitHub token (prefer TINYTORCH_BOARD_TOKEN).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome (class_id ...) as JSON.")
def create(
    name, instructors, starts, ends, board_dir, repo, api_url, token_option, yes, as_json
) -> None:
    """Create class NAME with a fresh random class_id, on a local board (--to) or as a pull
    request (--repo). The class file lists no student."""
    from tinytorch_board.clock import utc_now
    from tinytorch_board.errors import BoardError
    from tinytorch_board.publish.classroom import class_change, new_class, write_class_to_board
    from tinytorch_board.publish.deliver import choose_target

    if (board_dir is None) == (repo is None):
        raise BoardError("pass either --to BOARD_DIR or --repo OWNER/NAME")
    info = new_class(name, list(instructors), starts, ends, utc_now().date())
    outcome: dict = {"class_id": info.class_id, "class": info.as_dict()}
    if board_dir is not None:
        path = write_class_to_board(board_dir, info)
        outcome["written"] = str(path)
    else:
        from tinytorch_board.cli.submit import github_board, progress_printer

        target = choose_target({}, None, repo, api_url)
        change = class_change(info)
        board = github_board(target, token_option, "then run `class create` again", yes=yes)
        if not as_json:
            click.echo(change.content)
        if not confirm_or_refuse(
            f"Open this pull request on {target.repo}?", yes or as_json, "pass --yes to open it"
        ):
            return
        opened = board.open_pull_request(change, progress_printer(as_json))
        outcome["pull_request"] = opened.as_dict()
    if as_json:
        echo_json(outcome)
        return
    click.echo(f"class_id: {info.class_id}")
    if "written" in outcome:
        click.echo(f"Wrote {outcome['written']}")
    else:
        click.echo(f"Opened: {outcome['pull_request'].get('url')}")
    click.echo(f"Students run: tinytorch-board class join {info.class_id} --json > receipt.json")


@classroom.command("add-students")
@click.argument("class_id")
@click.argument(
    "receipts", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@ROSTER
@click.option("--name", help="The student's name (one receipt); default: the receipt's file name.")
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
def add_students(class_id, receipts, roster_path, name, as_json) -> None:
    """Add students' RECEIPTS (from `class join --json`) to your private roster."""
    from tinytorch_board.board.classroom import add_students as add

    change = add(roster_path, class_id, list(receipts), name)
    if as_json:
        echo_json(change.as_dict())
        return
    for s in change.added:
        click.echo(f"added {s.name} ({s.participant_id})")
    for s in change.already:
        click.echo(f"already listed: {s.name} ({s.participant_id})")
    click.echo(f"{change.total} student(s) on {roster_path} (private: never put it in a board)")


@classroom.command("report")
@click.argument("class_id")
@ROSTER
@click.option(
    "--board",
    "board_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A board folder (a clone of the board repository).",
)
@click.option("--from", "url", metavar="URL", help="A published board site.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the report as CSV.")
def report(class_id, roster_path, board_dir, url, as_json, as_csv) -> None:
    """Each student on your roster: set up, latest and best scores, modules, milestones,
    last activity; and who has not submitted yet. Runs on your machine only."""
    from tinytorch_board.board import classroom as cls
    from tinytorch_board.errors import BoardError
    from tinytorch_board.publish.classroom import check_class_id

    check_class_id(class_id)
    if (board_dir is None) == (url is None):
        raise BoardError("pass either --board DIR or --from URL")
    if as_json and as_csv:
        raise BoardError("choose one of --json and --csv")
    students = cls.read_roster(roster_path)
    if not students:
        raise BoardError(f"{roster_path} lists no student; add receipts with `class add-students`")
    rows = (
        cls.rows_from_board(board_dir, class_id)
        if board_dir is not None
        else cls.rows_from_site(url, class_id)
    )
    lines = cls.class_report(students, rows)
    missing = [line.name for line in lines if not line.submissions]
    if as_json:
        echo_json(
            {
                "class_id": class_id,
                "students": [line.as_dict() for line in lines],
                "not_submitted": missing,
            }
        )
        return
    if as_csv:
        click.echo(cls.report_csv(lines), nl=False)
        return
    for line in lines:
        if not line.submissions:
            click.echo(f"{line.name}: no submission yet")
            continue
        scores = ", ".join(
            f"{kind} latest {line.latest[kind]:.1f} best {line.best[kind]:.1f}"
            for kind in sorted(line.latest)
        )
        click.echo(
            f"{line.name}: set up {'yes' if line.set_up else 'no'}; {scores}; "
            f"{line.modules_completed} modules; milestones "
            f"{' '.join(line.milestones_completed) or 'none'}; last activity {line.last_activity}"
        )
    click.echo(f"Not submitted yet: {', '.join(missing)}" if missing else "Everyone has submitted.")


@classroom.command("collect")
@click.argument("class_id")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.option("--repo", required=True, metavar="OWNER/NAME", help="GitHub board repository.")
@click.option("--api-url", help="GitHub API URL (GitHub Enterprise); default api.github.com.")
@click.option("--token", "token_option", help="GitHub token (prefer TINYTORCH_BOARD_TOKEN).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def collect(class_id, files, repo, api_url, token_option, yes, as_json) -> None:
    """Open one batch pull request with prepared submission FILES students handed in.

    For instructors listed in the board's automation.batch_authors (up to
    max_files_per_pr_batch files); every file must declare CLASS_ID and validate.
    """
    from tinytorch_board.cli.submit import github_board, progress_printer
    from tinytorch_board.clock import utc_now
    from tinytorch_board.publish.classroom import collect_batch
    from tinytorch_board.publish.deliver import choose_target

    batch = collect_batch(class_id, list(files), utc_now())
    changes = batch.changes()
    target = choose_target({}, None, repo, api_url)
    board = github_board(target, token_option, "then run `class collect` again", yes=yes)
    if not as_json:
        click.echo(f"{len(changes)} file(s) for class {class_id} in one pull request on {repo}")
    if not confirm_or_refuse(f"Open it on {target.repo}?", yes or as_json, "pass --yes"):
        return
    opened = board.open_pull_request(changes[0], progress_printer(as_json), tuple(changes[1:]))
    if as_json:
        echo_json({"class_id": class_id, "files": len(changes), "pull_request": opened.as_dict()})
        return
    click.echo(f"Opened: {opened.url}")
