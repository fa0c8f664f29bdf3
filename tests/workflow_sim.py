"""Run a workflow job's `run:` steps locally, the way a runner would, with `gh` faked.

Only the network edge is fake: `gh` answers from canned API responses (an answer
`{"__sequence__": [...]}` changes from call to call) and records what it was asked to do;
git talks to a real local "origin" repository; `tinytorch-board` is this checkout's CLI.
Expressions are evaluated for the small subset our workflows use (context lookups, `||`,
`&&`, `==`, `!=`, `contains`) and nothing else.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FAKE_GH = r'''#!PYTHON
"""A stand-in for the gh CLI: canned answers from $FAKE_GH_DIR, every call logged."""
import json, os, sys
from pathlib import Path

state = Path(os.environ["FAKE_GH_DIR"])
args = sys.argv[1:]
with open(state / "calls.jsonl", "a") as log:
    log.write(json.dumps(args) + "\n")
if args[:2] == ["workflow", "run"]:
    sys.exit(0)
assert args[0] == "api", args
method, fields, endpoint, jq = "GET", {}, None, None
i = 1
while i < len(args):
    a = args[i]
    if a == "-X":
        method = args[i + 1]; i += 2; continue
    if a in ("-f", "-F"):
        key, value = args[i + 1].split("=", 1)
        if a == "-F" and value.startswith("@"):
            value = Path(value[1:]).read_text()
        fields[key] = value; i += 2; continue
    if a == "--jq":
        jq = args[i + 1]; i += 2; continue
    if a.startswith("-"):
        i += 1; continue
    endpoint = a; i += 1
with open(state / "requests.jsonl", "a") as log:
    log.write(json.dumps({"method": method, "endpoint": endpoint, "fields": fields}) + "\n")
answers = json.loads((state / "answers.json").read_text())
key = f"{method} {endpoint.split('?')[0]}"
if key not in answers:
    print(f"gh: HTTP 404: Not Found ({key})", file=sys.stderr)
    sys.exit(1)
answer = answers[key]
if isinstance(answer, dict) and "__sequence__" in answer:
    # Successive calls get successive answers (the last repeats); null is a 404.
    counts_path = state / "counts.json"
    counts = json.loads(counts_path.read_text()) if counts_path.exists() else {}
    sequence = answer["__sequence__"]
    answer = sequence[min(counts.get(key, 0), len(sequence) - 1)]
    counts[key] = counts.get(key, 0) + 1
    counts_path.write_text(json.dumps(counts))
    if answer is None:
        print(f"gh: HTTP 404: Not Found ({key})", file=sys.stderr)
        sys.exit(1)
if "--silent" in args:
    sys.exit(0)
if jq:  # gh filters with jq's language and prints raw strings, as `jq -r` does
    import subprocess
    done = subprocess.run(["jq", "-r", jq], input=json.dumps(answer), capture_output=True,
                          text=True, check=True)
    sys.stdout.write(done.stdout)
    sys.exit(0)
print(json.dumps(answer))
'''


def install_tools(bin_dir: Path) -> None:
    """`tinytorch-board` (this checkout) and a fake `gh` on a PATH folder."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    tools = {
        "tinytorch-board": f'#!/bin/sh\nexec "{sys.executable}" -m tinytorch_board "$@"\n',
        "gh": FAKE_GH.replace("PYTHON", sys.executable),
    }
    for name, text in tools.items():
        path = bin_dir / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)


def lookup(context: dict, dotted: str):
    value = context
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return ""
        value = value[part]
    return value


def evaluate(expression: str, context: dict):
    """The expression subset our workflows use."""
    expression = expression.strip()
    if "&&" in expression:
        return all(evaluate(part, context) for part in expression.split("&&"))
    if "||" in expression:
        for part in expression.split("||"):
            value = evaluate(part, context)
            if value not in ("", None, False, 0):
                return value
        return ""
    for op in ("==", "!="):
        if op in expression:
            left, right = (evaluate(p, context) for p in expression.split(op, 1))
            return (str(left) == str(right)) == (op == "==")
    match = re.fullmatch(r"contains\((.+),\s*'(.*)'\)", expression)
    if match:
        return match.group(2) in str(evaluate(match.group(1), context))
    if expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    return lookup(context, expression)


def substitute(text: str, context: dict) -> str:
    return re.sub(r"\$\{\{(.+?)\}\}", lambda m: str(evaluate(m.group(1), context)), str(text))


class JobRun:
    """Runs one job's `run:` steps in order, honoring `if:` and collecting outputs."""

    def __init__(self, workflow: dict, job: str, context: dict, cwd: Path, tmp: Path) -> None:
        self.job = workflow["jobs"][job]
        self.context = {**context, "steps": {}}
        self.cwd = cwd
        self.tmp = tmp
        bin_dir = tmp / "bin"
        install_tools(bin_dir)
        self.env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(ROOT),
            "RUNNER_TEMP": str(tmp / "runner"),
            "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
            "FAKE_GH_DIR": str(tmp / "gh"),
        }
        (tmp / "runner").mkdir(exist_ok=True)
        self.ran: list[str] = []

    def run(self, skip_uses: bool = True) -> dict:
        for step in self.job["steps"]:
            condition = step.get("if")
            if condition and not evaluate(condition, self.context):
                continue
            if "uses" in step:
                if not skip_uses:
                    raise AssertionError(f"cannot run {step['uses']} locally")
                continue  # checkout/setup-python: the test prepared the checkout itself
            self._run_step(step)
        return {k: substitute(v, self.context) for k, v in self.job.get("outputs", {}).items()}

    def _run_step(self, step: dict) -> None:
        output_file = self.tmp / "github_output"
        output_file.write_text("")
        env = {k: substitute(v, self.context) for k, v in step.get("env", {}).items()}
        script = step["run"]
        if script.startswith("python -m pip install"):
            return  # the checkout's package is already importable
        done = subprocess.run(
            ["bash", "-e", "-c", script],
            env={**self.env, **env, "GITHUB_OUTPUT": str(output_file)},
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.ran.append(step.get("name", script.splitlines()[0]))
        if done.returncode != 0:
            raise StepFailed(step.get("name", "?"), done.returncode, done.stderr)
        outputs = dict(
            line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
        )
        if step.get("id"):
            self.context["steps"][step["id"]] = {"outputs": outputs}


class StepFailed(Exception):
    def __init__(self, name: str, code: int, stderr: str) -> None:
        super().__init__(f"step {name!r} exited {code}: {stderr}")
        self.name, self.code, self.stderr = name, code, stderr


def gh_requests(tmp: Path) -> list[dict]:
    path = tmp / "gh" / "requests.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def gh_calls(tmp: Path) -> list[list[str]]:
    path = tmp / "gh" / "calls.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def quote(args: list[str]) -> str:
    return " ".join(shlex.quote(a) for a in args)
