"""The package as users install it: a wheel in a fresh virtualenv builds a demo board,
even when another package left an empty `site-packages/templates` behind."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# import name -> distribution name, for the third-party modules the package imports
DISTRIBUTIONS = {
    "click": "click",
    "github": "pygithub",
    "jinja2": "jinja2",
    "jsonschema": "jsonschema",
    "jsonschema_rs": "jsonschema-rs",
    "markupsafe": "markupsafe",
    "nacl": "pynacl",
    "numpy": "numpy",
    "PIL": "pillow",
    "requests": "requests",
    "resvg_py": "resvg-py",
    "rich": "rich",
    "threadpoolctl": "threadpoolctl",
    "yaml": "pyyaml",
}


def _imported_modules() -> set[str]:
    found = set()
    for path in (ROOT / "tinytorch_board").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"tinytorch_board", "__future__"}


def test_every_imported_distribution_is_declared():
    pyproject = _pyproject()
    declared = {
        re.split(r"[<>=!~ \[;]", dep, maxsplit=1)[0].lower()
        for dep in pyproject["project"]["dependencies"]
    }
    imported = _imported_modules()
    assert imported <= set(DISTRIBUTIONS), f"map these imports: {imported - set(DISTRIBUTIONS)}"
    assert {DISTRIBUTIONS[name] for name in imported} <= declared


def test_metadata_a_user_sees():
    pyproject = _pyproject()
    project = pyproject["project"]
    assert "hatchling>=1.27" in pyproject["build-system"]["requires"][0]
    assert project["keywords"] and project["urls"]
    assert all(re.fullmatch(r"https://\S+", url) for url in project["urls"].values())
    assert "Programming Language :: Python :: 3 :: Only" in project["classifiers"]


def test_tests_run_on_the_lowest_and_newest_python_claimed():
    pyproject = _pyproject()
    claimed = sorted(
        (tuple(map(int, c.rsplit(" ", 1)[1].split("."))) for c in pyproject["project"]["classifiers"]
         if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)),
    )  # fmt: skip
    lowest = pyproject["project"]["requires-python"].removeprefix(">=")
    assert ".".join(map(str, claimed[0])) == lowest
    workflow = yaml.safe_load((ROOT / ".github/workflows/tests.yml").read_text(encoding="utf-8"))
    matrix = workflow["jobs"]["test"]["strategy"]["matrix"]["python-version"]
    assert matrix == [lowest, ".".join(map(str, claimed[-1]))]


def test_packaged_data_is_read_through_importlib_resources_only():
    for name in ("board/templating.py", "board/render.py", "board/config.py"):
        text = (ROOT / "tinytorch_board" / name).read_text(encoding="utf-8")
        assert "parents[" not in text, name


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (built,) = out.glob("tinytorch_board-*.whl")
    return built


def test_the_wheel_holds_the_templates_board_yaml_and_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "tinytorch_board/templates/base.html",
        "tinytorch_board/templates/static/site.css",
        "tinytorch_board/board/scaffold/board.yaml",
        "tinytorch_board/_board_github/workflows/pages.yml",
        "tinytorch_board/submission/schema_v1.json",
    ):
        assert required in names, required
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode("utf-8")
    assert "Requires-Dist: jsonschema-rs" in text and "Requires-Dist: markupsafe" in text


def test_installed_wheel_builds_a_board_despite_a_stray_templates_folder(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    with zipfile.ZipFile(wheel) as archive:  # what pip does for a pure-Python wheel
        archive.extractall(site)
    (site / "templates").mkdir()  # left behind by some other package
    # the dependencies come from this interpreter's environment, after the wheel's files
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    board = tmp_path / "board"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(python), "-m", "tinytorch_board", *args],
            cwd=tmp_path, env=clean_env, capture_output=True, text=True,
        )  # fmt: skip

    where = subprocess.run(
        [str(python), "-c", "import tinytorch_board; print(tinytorch_board.__file__)"],
        cwd=tmp_path, env=clean_env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert Path(where).is_relative_to(site), where
    done = run("demo-data", "--count", "40", "--out", str(board), "--seed", "3")
    assert done.returncode == 0, done.stderr
    done = run("build", "--board", str(board), "--out", str(tmp_path / "site"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert "<html" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
