"""Which compiled JSON Schema validator checks a submission fastest?

    python benchmarks/bench_validators.py [--count 4000] [--repeat 5]

Generates --count demo submissions (nine baseline results in ten, the rest capstone),
parses them, and times per file: parsing (the floor), jsonschema-rs, fastjsonschema and
Python jsonschema on the v1 schema, then the whole of `validator.check_bytes`. Prints the
best of --repeat passes in microseconds per file, and whether each validator accepted
every file.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timezone


def best_us(function, items, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for item in items:
            function(item)
        best = min(best, time.perf_counter() - started)
    return 1e6 * best / len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import fastjsonschema
    import jsonschema_rs
    from jsonschema import Draft202012Validator

    from tinytorch_board.board.demo_data import generate, generate_capstone
    from tinytorch_board.jsonio import dumps
    from tinytorch_board.submission.validator import check_bytes, schema

    capstones = args.count // 10
    docs = generate(args.count - capstones, seed=1) + generate_capstone(capstones, seed=1)
    raws = [dumps(doc).encode("utf-8") for doc in docs]
    parsed = [json.loads(raw) for raw in raws]
    now = datetime.now(timezone.utc)
    rust = jsonschema_rs.Draft202012Validator(schema())
    fast = fastjsonschema.compile(schema())
    python = Draft202012Validator(schema())
    few = parsed[:300]  # Python jsonschema is too slow for all of them

    def fast_ok(doc) -> bool:
        try:
            fast(doc)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    rows = [
        ("json.loads (floor)", json.loads, raws, None),
        ("jsonschema-rs", rust.is_valid, parsed, all(map(rust.is_valid, parsed))),
        ("fastjsonschema", fast_ok, parsed, all(map(fast_ok, parsed))),
        ("jsonschema (Python)", python.is_valid, few, all(map(python.is_valid, few))),
        ("check_bytes (all of it)", lambda raw: check_bytes(raw, "f", None, now), raws, None),
    ]  # fmt: skip
    print(f"{len(docs)} files, {sum(map(len, raws)) / len(raws):.0f} bytes on average")
    for name, function, items, accepted in rows:
        us = best_us(function, items, args.repeat if len(items) > 300 else 1)
        verdict = "" if accepted is None else ("accepts all" if accepted else "REFUSES SOME")
        print(f"{name:<26}{us:>9.1f} us/file  {verdict}")


if __name__ == "__main__":
    main()
