"""Release steps run by .github/workflows/release.yml (and by hand to rehearse a release).

    python scripts/release.py check-tag v0.2.0
    python scripts/release.py lock --sdist dist/X.tar.gz --dependencies requirements/lock.txt \
        --out tinytorch_board/_release/requirements.txt
    python scripts/release.py check-wheel dist/X.whl
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tinytorch_board import __version__  # noqa: E402
from tinytorch_board.errors import BoardError  # noqa: E402
from tinytorch_board.release import (  # noqa: E402
    PACKAGE,
    check_tag,
    file_pin,
    parse_lock,
    render_lock,
)

LOCK_IN_WHEEL = "tinytorch_board/_release/requirements.txt"


def one(pattern: str) -> Path:
    found = sorted(Path().glob(pattern)) if any(c in pattern for c in "*?[") else [Path(pattern)]
    if len(found) != 1 or not found[0].is_file():
        raise BoardError(f"expected exactly one file for {pattern}, found {len(found)}")
    return found[0]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    tag = sub.add_parser("check-tag", help="the tag is v + the package version")
    tag.add_argument("tag")
    lock = sub.add_parser("lock", help="write the release lock naming the sdist")
    lock.add_argument("--sdist", required=True)
    lock.add_argument("--dependencies", required=True, type=Path)
    lock.add_argument("--out", required=True, type=Path)
    wheel = sub.add_parser("check-wheel", help="the wheel ships the lock naming this version")
    wheel.add_argument("wheel")
    args = parser.parse_args(argv)
    try:
        if args.step == "check-tag":
            check_tag(args.tag)
        elif args.step == "lock":
            sdist = one(args.sdist)
            deps = parse_lock(args.dependencies.read_text(encoding="utf-8"), str(args.dependencies))
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(render_lock(file_pin(sdist), deps), encoding="utf-8")
            print(f"{args.out}: {PACKAGE} {__version__} ({sdist.name}) + {len(deps)} dependencies")
        else:
            path = one(args.wheel)
            with zipfile.ZipFile(path) as archive:
                if LOCK_IN_WHEEL not in archive.namelist():
                    raise BoardError(f"{path.name} does not ship {LOCK_IN_WHEEL}")
                pins = parse_lock(archive.read(LOCK_IN_WHEEL).decode("utf-8"), LOCK_IN_WHEEL)
            if pins.get(PACKAGE) is None or pins[PACKAGE].version != __version__:
                raise BoardError(f"{path.name}'s lock does not name {PACKAGE} {__version__}")
            print(f"{path.name}: ships the lock of {PACKAGE} {__version__} ({len(pins)} pins)")
    except BoardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
