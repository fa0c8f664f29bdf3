"""From the student's project to a prepared submission: result + progress + profile."""

from __future__ import annotations

from pathlib import Path

from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.local.progress import read_progress
from tinytorch_board.local.project import Project
from tinytorch_board.local.results import load_result, newest_result
from tinytorch_board.local.store import read_json
from tinytorch_board.submission.builder import Prepared, PublicFields, build_submission
from tinytorch_board.submission.validator import check_document


def prepare_from_project(
    project: Project, result_path: Path | None = None, public: PublicFields | None = None
) -> tuple[Prepared, Path, list[str]]:
    """Build and validate the submission for a result; (prepared, result file, warnings)."""
    result_path = Path(result_path) if result_path else newest_result(project.benchmarks_dir)
    result = load_result(result_path)
    progress = read_progress(project)
    warnings = list(progress.warnings)
    profile = None
    if project.profile_path.exists():
        try:
            profile = read_json(project.profile_path)
        except DataFileError as exc:
            warnings.append(f"profile ignored: {exc}")
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
