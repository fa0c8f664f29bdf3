"""From the student's project to a prepared submission: result + progress + profile."""

from __future__ import annotations

import re
from pathlib import Path

from tinytorch_board.countries import ISO_3166_ALPHA2
from tinytorch_board.errors import BoardError
from tinytorch_board.local.keys import (
    load_or_create_keys,
    protect_outbox,
    tracked_private_files,
)
from tinytorch_board.local.profile import submission_identity
from tinytorch_board.local.progress import read_progress
from tinytorch_board.local.project import Project
from tinytorch_board.local.results import (
    check_not_tito,
    load_result,
    newest_result,
    skipped_note,
)
from tinytorch_board.submission.builder import Prepared, PublicFields, build_submission
from tinytorch_board.submission.validator import check_document, text_problem


def prepare_from_project(
    project: Project,
    result_path: Path | None = None,
    public: PublicFields | None = None,
    declare_class: bool = True,
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
    keys = load_or_create_keys(project)
    protect_outbox(project)
    tracked = tracked_private_files(project)
    if tracked:
        warnings.append(
            f"git tracks private file(s) {', '.join(tracked)} (signing keys, withdrawal "
            "secrets); pushing them lets others sign or withdraw as you. Untrack them: "
            f"git rm --cached {' '.join(tracked)}"
        )
    visibility = "public" if public and public.as_dict() else "anonymous"
    prepared = build_submission(
        result,
        modules_completed=len(progress.modules_completed),
        milestones_completed=sorted(progress.milestones_completed),
        profile=profile,
        public=public,
        signing_key=keys.for_visibility(visibility),
        declare_class=declare_class,
    )
    warnings += class_notes(prepared.document, profile)
    problems = check_document(prepared.document, str(result_path), prepared.relative_path)
    if problems:
        details = "; ".join(f"{p.path}: {p.message}" for p in problems[:3])
        raise BoardError(f"{result_path} cannot be submitted: {details}")
    return prepared, result_path, warnings


def class_notes(document: dict, profile: dict | None) -> list[str]:
    """What declaring the class links, said before anything is sent."""
    class_id = document.get("class_id")
    if class_id is None or document["visibility"] != "public":
        return []
    notes = [
        f"this public result names your class {class_id}: anyone can see you are in it "
        "(--no-class leaves the class out)"
    ]
    if (profile or {}).get("class_id_kind") == "anonymous":
        notes.append(
            "you handed in your anonymous id, so your instructor will not see this public "
            "result as yours"
        )
    return notes


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
