"""The text the bot posts: what failed and how to fix it, or where a submission lands.

Everything a contributor controls (paths, JSON values echoed in messages) goes inside a
fenced code block whose fence is longer than any backtick run in it, with control
characters escaped, so it cannot mention people, render links or break the layout.
"""

from __future__ import annotations

import re

from tinytorch_board.board.ci.history import LOGIN_RE, author_trailer
from tinytorch_board.curriculum import MILESTONE_COUNT, MODULE_COUNT
from tinytorch_board.errors import DataFileError
from tinytorch_board.submission.distribution import check_distribution, place

MARKERS = {
    "validate": "<!-- tinytorch-board:validate -->",
    "withdraw": "<!-- tinytorch-board:withdraw -->",
    "intake": "<!-- tinytorch-board:intake -->",
}
BOT_LOGIN = "github-actions[bot]"
MAX_COMMENT_CHARS = 60_000  # GitHub refuses comments over 65,536 characters
_UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")

# How to fix each kind of finding, in the contributor's terms.
HINTS = {
    "empty": "Add your submission file: `tinytorch-board submit` creates it for you.",
    "outside": (
        "A submission pull request adds only `submissions/<first 2 hex of id>/<id>.json`. "
        "Move other changes to a separate pull request."
    ),
    "bad-path": (
        "Name the file after its `submission_id`: `submissions/<first 2 hex>/<id>.json`. "
        "`tinytorch-board submit` names it correctly."
    ),
    "wrong-shard": (
        "Move the file into the folder named after the first two characters of its id."
    ),
    "modified": (
        "Published submissions never change. Benchmark again and submit the new result as a "
        "new file; to take an old one down, use `tinytorch-board withdraw ID`."
    ),
    "removed": (
        "To take a submission down, open a separate pull request with "
        "`tinytorch-board withdraw ID`: it deletes only that file and carries its withdraw key."
    ),
    "settings": (
        "Settings change in their own pull request, opened by a maintainer, with nothing "
        "under submissions/; `tinytorch-board board check .` checks the new board.yaml."
    ),
    "withdraw-many": (
        "Students: withdraw one submission per pull request with `tinytorch-board withdraw ID`. "
        "Maintainers removing several entries: use `tinytorch-board board remove ID... "
        "--reason TEXT`, which marks the pull request as moderation."
    ),
    "renamed": "Submission files are never moved; add a new file instead.",
    "changed": "Add the submission as a new plain file.",
    "symlink": "Add the JSON file itself, not a link to it.",
    "file-mode": "Add the file as a plain, non-executable file (git mode 100644).",
    "too-large": (
        "A submission is a few kilobytes; regenerate it with `tinytorch-board submit` "
        "instead of editing it by hand."
    ),
    "too-many": (
        "Open one pull request per submission. Instructors sending a classroom batch can "
        "ask the maintainers to add them to `automation.batch_authors` in board.yaml."
    ),
    "invalid-json": (
        "The file is not valid JSON. Do not edit it by hand: `tinytorch-board submit "
        "--dry-run` shows the exact file to send."
    ),
    "invalid": (
        "Fix the fields named above, or regenerate the file with the latest "
        "`pip install -U tinytorch-board` and `tinytorch-board submit`."
    ),
    "unread": "Push the pull request again; if this repeats, ask a maintainer.",
    "withdrawal": "This pull request only deletes files; the withdraw workflow checks it.",
    "no-stored-key": "Ask a maintainer to remove the file (see docs/maintainers.md).",
    "no-key": (
        "Add a line `withdraw-key: <secret>` to the description; `tinytorch-board withdraw ID` "
        "writes it for you from `.tinytorch/submissions/<id>.json`."
    ),
    "wrong-key": (
        "Use the secret saved in `.tinytorch/submissions/<id>.json` on the machine that "
        "submitted this file. Without it, ask a maintainer to remove the file."
    ),
    "board-config": (
        "This is not your fault: the board's own settings (`board.yaml` on the default "
        "branch) are broken, so nothing can be checked. A maintainer must fix them "
        "(`tinytorch-board board check .` names the problem) and then re-run this check."
    ),
    "daily-limit": (
        "Wait until fewer than the allowed number of your pull requests were opened in "
        "the last 24 hours, then push again (or close and reopen this one). A classroom "
        "batch: ask the maintainers to add you to `automation.batch_authors`."
    ),
    "exists": "This exact submission is already on the board; nothing to do.",
    "withdrawn": (
        "A withdrawn submission stays withdrawn: the board's history shows this id was "
        "removed. To share a result again, benchmark again and submit the new file."
    ),
    "github-mismatch": (
        "`public.github` names the GitHub account that sends the submission. Submit from "
        "that account, or leave the name out (`tinytorch-board submit --public` without "
        "`--github`)."
    ),
    "github-unverified": (
        "Only a pull request or issue shows who sends a submission; submit through one of "
        "them to name a GitHub account."
    ),
    "participant-taken": (
        "This `participant_id` links results that another GitHub account submitted. Submit "
        "from the account that sent your earlier results; a result can never join someone "
        "else's history."
    ),
    "participant-unverified": (
        "Earlier results with this `participant_id` have no recorded submitter, so nothing "
        "shows they are yours. A maintainer can check and merge by hand."
    ),
}


def clean(text: str) -> str:
    """Control and invisible characters as visible escapes."""
    return _UNSAFE_CHARS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def code_block(lines: list[str]) -> str:
    """A fenced block that its content cannot close."""
    text = "\n".join(clean(line) for line in lines)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _finding_lines(findings: list[dict]) -> list[str]:
    lines = [f"{f['path']}: {f['message']}" if f.get("path") else f["message"] for f in findings]
    return [line if len(line) <= 500 else line[:497] + "..." for line in lines]


def changes_lines(files: list[dict], limit: int = 10) -> list[str]:
    """What the pull request changed, one `status path` line per file."""
    lines = [f"{f['status']:<8} {f['path']}" for f in files[:limit]]
    if len(files) > limit:
        lines.append(f"... and {len(files) - limit} more file(s)")
    return lines


def _problems_section(report: dict) -> list[str]:
    findings = report["findings"]
    out = []
    if report.get("files"):
        out += [
            "**What this pull request changes**",
            "",
            code_block(changes_lines(report["files"])),
        ]
        out.append("")
    out += ["**What failed**", "", code_block(_finding_lines(findings))]
    hidden = report.get("findings_total", len(findings)) - len(findings)
    if hidden > 0:
        out.append(f"…and {hidden} more.")
    codes = list(dict.fromkeys(f["code"] for f in findings))
    hints = [HINTS[c] for c in codes if c in HINTS]
    if hints:
        out += ["", "**How to fix it**", ""] + [f"- {h}" for h in hints]
    return out


def _footer(report: dict) -> list[str]:
    parts = []
    if report.get("head"):
        parts.append(f"checked commit `{report['head'][:12]}`")
    if report.get("validator"):
        parts.append(f"with the validator from `{report['validator'][:12]}`")
    if report.get("release"):
        parts.append(f"by tinytorch-board {clean(str(report['release']))[:60]}")
    return ["", f"<sub>{' '.join(parts)}.</sub>"] if parts else []


def placements(submissions: list[dict], distribution: dict | None) -> list[str]:
    """Where each valid submission lands in the published distribution, one line each."""
    if distribution is None:
        return ["The board has no published distribution yet, so there is nothing to compare."]
    try:
        doc = check_distribution(distribution, "api/distribution.json")
    except DataFileError as exc:
        return [f"The published distribution could not be read ({exc.detail})."]
    out = []
    for s in submissions:
        placement = place(
            doc, s["kind"], s["suite_version"], s["backend"], s["score"], s["system_type"]
        )
        if placement is None:
            out.append(
                f"You are the first {s['kind']} {s['suite_version']} {s['backend']} result "
                "on the board."
            )
        else:
            out.append(placement.sentence())
    return out


def pr_comment(report: dict, distribution: dict | None, auto_merge: bool) -> str:
    """The one comment on a submission pull request (updated in place on every push)."""
    lines = [MARKERS["validate"]]
    if report["ok"]:
        count = len(report["submissions"])
        lines += [
            "### ✅ Valid submission" + ("s" if count > 1 else ""),
            "",
            "| file | result | score | system | progress |",
            "|---|---|---|---|---|",
        ]
        for s in report["submissions"]:
            lines.append(
                f"| `{s['path']}` | {s['kind']} {s['suite_version']} "
                f"{s['backend']} | **{s['score']:.1f}** | {clean(s['system_type'])} | "
                f"{s['modules_completed']}/{MODULE_COUNT} modules, "
                f"{s['milestones_completed']}/{MILESTONE_COUNT} milestones |"
            )
        lines += ["", "**Where it lands**", ""]
        landed = placements(report["submissions"], distribution)
        if count > 1 and len(landed) == count:
            landed = [
                f"`{s['path']}`: {line}"
                for s, line in zip(report["submissions"], landed, strict=True)
            ]
        lines += [f"- {line}" for line in landed]
        lines += [
            "",
            (
                "It will be merged automatically and appear on the board after the next deploy."
                if auto_merge
                else "This is your first contribution to this board, so a maintainer will "
                "review and merge it."
                if report.get("held")
                else "A maintainer will review and merge it."
            ),
        ]
        author = report.get("author")
        if not auto_merge and isinstance(author, str) and LOGIN_RE.fullmatch(author):
            # Who submitted a file is read back from this trailer (participant_id ownership).
            lines += [
                "",
                "<sub>Maintainers: squash-merge with `" + author_trailer(author) + "` as the "
                "last line of the commit message, so later results are checked against it."
                "</sub>",
            ]
    else:
        lines += ["### ❌ This pull request cannot be merged yet", ""]
        lines += _problems_section(report)
        lines += ["", "Push a fix to this branch and the check runs again."]
    return _cap("\n".join(lines + _footer(report)) + "\n")


def moderation_lines(report: dict) -> list[str]:
    """The maintainer's message for a removal without withdraw keys."""
    removed = report.get("removed") or []
    lines = [
        "### 🛡️ Moderation removal",
        "",
        f"Opened by a maintainer and deleting {len(removed)} submission file(s) without "
        "withdraw keys, so this is a moderation removal, not a student's withdrawal:",
        "",
        code_block(
            removed[:50] + ([f"... and {len(removed) - 50} more"] if len(removed) > 50 else [])
        ),
        "",
    ]
    if report.get("reason"):
        lines += ["Reason given:", "", code_block([report["reason"]]), ""]
    else:
        lines += [
            "No reason is recorded: add a line `moderation: <why>` to the description "
            "(`tinytorch-board board remove` writes it) so the history says why.",
            "",
        ]
    lines.append(
        "It is never merged automatically: merge it yourself when ready. Once merged, the "
        "board's checks refuse any pull request that adds these files again."
    )
    return lines


def withdrawal_comment(report: dict, auto_merge: bool) -> str:
    lines = [MARKERS["withdraw"]]
    if report.get("moderation"):
        lines += moderation_lines(report)
    elif report["ok"]:
        lines += [
            "### ✅ Withdrawal verified",
            "",
            f"The withdraw key matches `{report['path']}`.",
            (
                "It will be merged automatically and disappear from the board after the next "
                "deploy. Git history keeps the (anonymous) file."
                if auto_merge
                else "A maintainer will merge it."
            ),
        ]
    else:
        lines += ["### ❌ This withdrawal cannot be merged", ""] + _problems_section(report)
        lines += ["", "Edit the description or push a fix and the check runs again."]
    return _cap("\n".join(lines + _footer(report)) + "\n")


def intake_comment(report: dict, pr_url: str | None = None) -> str:
    lines = [MARKERS["intake"]]
    if report["ok"]:
        lines += [
            "### ✅ Thank you! Your submission is valid",
            "",
            f"It was added as `{report['path']}`"
            + (f" in {pr_url}" if pr_url else "")
            + "; that pull request is checked and merged by the board's workflow.",
            "This issue is closed; follow the pull request for the rest.",
        ]
    else:
        lines += ["### ❌ This submission could not be accepted", ""] + _problems_section(report)
        lines += ["", "Edit this issue with the corrected JSON and it is checked again."]
    return _cap("\n".join(lines + _footer(report)) + "\n")


def _cap(text: str) -> str:
    if len(text) <= MAX_COMMENT_CHARS:
        return text
    return text[: MAX_COMMENT_CHARS - 40] + "\n\n…(comment shortened)\n"


def comment_to_update(comments: list, marker_name: str) -> int | None:
    """The id of the bot's earlier comment with this marker, if any (to edit, not repeat)."""
    marker = MARKERS[marker_name]
    for comment in comments:
        if not isinstance(comment, dict):
            continue
        user = comment.get("user") if isinstance(comment.get("user"), dict) else {}
        body = comment.get("body")
        if user.get("login") == BOT_LOGIN and isinstance(body, str) and body.startswith(marker):
            comment_id = comment.get("id")
            if isinstance(comment_id, int) and not isinstance(comment_id, bool):
                return comment_id
    return None
