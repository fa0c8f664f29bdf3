"""From the student's project to a prepared submission: result + progress + profile."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from tinytorch_board.countries import ISO_3166_ALPHA2
from tinytorch_board.errors import BoardError
from tinytorch_board.local.profile import submission_identity
from tinytorch_board.local.progress import read_progress
from tinytorch_board.local.project import Project
from tinytorch_board.local.results import (
    check_not_tito,
    load_result,
    newest_result,
    skipped_note,
)
from tinytorch_board.publish import outbox
from tinytorch_board.submission.builder import Prepared, PublicFields, build_submission
from tinytorch_board.submission.validator import check_document, text_problem


def prepare_from_project(
    project: Project, result_path: Path | None = None, public: PublicFields | None = None
) -> tuple[Prepared, Path, list[str]]:
    """Build and validate the submission for a result; (prepared, result file, warnings)."""
    skipped: list[Path] = []
    if result_path:
        result_path = Path(result_path)
        check_not_tito(result_path)
    else:
        result_path = newest_result(project.benchmarks_dir, skipped)
    result = load_result(result_path)
    progress = read_progress(project)
    warnings = [note for note in (skipped_note(skipped),) if note] + progress.warnings
    profile, profile_warnings = submission_identity(project)
    warnings += profile_warnings
    prepared = build_submission(
        result,
        modules_completed=len(progress.modules_completed),
        milestones_completed=sorted(progress.milestones_completed),
        profile=profile,
        public=public,
    )
    problems = check_document(prepared.document, str(result_path), prepared.relative_path)
    if problems:
        details = "; ".join(f"{p.path}: {p.message}" for p in problems[:3])
        raise BoardError(f"{result_path} cannot be submitted: {details}")
    return prepared, result_path, warnings


@dataclass(frozen=True)
class Plan:
    """The submission to show and send for one result, and what was sent of it before."""

    prepared: Prepared
    result_path: Path
    warnings: list[str] = dataclasses.field(default_factory=list)
    reused: bool = False  # the very file an earlier --dry-run showed (same bytes)
    earlier: tuple[dict, ...] = ()  # live outbox records of the same result

    def conflict(self) -> dict | None:
        """The earlier live submission of this result this one would duplicate, if any."""
        return self.earlier[-1] if self.earlier else None

    def switch_from(self) -> dict | None:
        """An anonymous, sent submission of this result that --public may replace."""
        mine = self.prepared.document.get("visibility")
        for record in reversed(self.earlier):
            if (
                mine == "public"
                and outbox.visibility(record) == "anonymous"
                and record.get("status") == "sent"
            ):
                return record
        return None


def plan_submission(
    project: Project, result_path: Path | None = None, public: PublicFields | None = None
) -> Plan:
    """Prepare the submission for a result, reusing the file a --dry-run already showed.

    One result, one submission: every live outbox record of the same result (same file,
    or same measurements) comes back in `earlier`, for the caller to refuse or switch.
    """
    prepared, path, warnings = prepare_from_project(project, result_path, public)
    records, unreadable = outbox.list_records(project.outbox_dir)
    warnings = warnings + unreadable
    same = [r for r in records if outbox.same_result(r, str(path), prepared.document)]
    for record in reversed(same):
        kept = record["submission"]
        if (
            outbox.is_preview(record)
            and kept.get("visibility") == prepared.document.get("visibility")
            and kept.get("public") == prepared.document.get("public")
            and isinstance(record.get("withdraw_secret"), str)
        ):
            prepared = Prepared(kept, record["withdraw_secret"])
            reused = True
            break
    else:
        reused = False
    earlier = tuple(r for r in same if outbox.is_live(r))
    return Plan(prepared, path, warnings, reused, earlier)


def refusal(plan: Plan) -> str | None:
    """Why sending this plan again is refused (one line), or None when it may go."""
    record = plan.conflict()
    if record is None or plan.switch_from() is not None:
        return None
    sid = record["submission_id"]
    state = record.get("status")
    when = (record.get("history") or [{}])[0].get("at", "")[:10]
    shown = f"{outbox.visibility(record)} submission {sid[:8]} of {when}"
    if state == "sent":
        return (
            f"this result is already on the board as {shown} ({outbox.where(record)}); "
            f"one result, one submission: withdraw it first with "
            f"`tinytorch-board withdraw {sid[:8]}`"
        )
    return (
        f"this result is already waiting in the outbox as {shown} ({state}); "
        "send it with `tinytorch-board submit --retry`"
    )


GITHUB_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
TEXT_LIMITS = {"display_name": ("--name", 40), "institution": ("--institution", 80)}


def public_fields(
    public: bool,
    name: str | None = None,
    github: str | None = None,
    country: str | None = None,
    institution: str | None = None,
) -> PublicFields | None:
    """The public fields exactly as typed (checked), or None for an anonymous submission."""
    given = {"--name": name, "--github": github, "--country": country, "--institution": institution}
    typed = [option for option, value in given.items() if value is not None]
    if not public:
        if typed:
            raise BoardError(
                f"{', '.join(typed)} only apply with --public; add --public to show them "
                "(without it the submission stays anonymous)"
            )
        return None
    if not typed:
        raise BoardError(
            "--public needs at least one of --name, --github, --country, --institution"
        )
    for field, value in (("display_name", name), ("institution", institution)):
        if value is None:
            continue
        option, limit = TEXT_LIMITS[field]
        if not value or len(value) > limit:
            raise BoardError(f"{option} must be 1 to {limit} characters (got {len(value)})")
        problem = text_problem(value)
        if problem:
            raise BoardError(f"{option} {problem}; type it again without that")
    if github is not None:
        github = github.removeprefix("@")
        if not GITHUB_LOGIN.match(github):
            raise BoardError(
                f"--github {github!r} is not a GitHub user name (letters, digits and single "
                "hyphens, at most 39)"
            )
    if country is not None:
        country = country.strip().upper()
        if country not in ISO_3166_ALPHA2:
            raise BoardError(
                f"--country {country!r} is not an ISO 3166-1 alpha-2 code (for example DE, IN, US)"
            )
    return PublicFields(display_name=name, github=github, country=country, institution=institution)
