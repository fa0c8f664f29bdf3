"""Read a maintainer's YAML file strictly: YAML 1.2 scalars, no duplicate keys, bounded work.

PyYAML follows YAML 1.1, where `1e308` is text, `yes`/`on` are booleans, `017` is octal
and `1:20` is 80. board.yaml is read with the YAML 1.2 core schema instead, so what a
maintainer writes means what the YAML 1.2 specification (and most editors) say it means.
Duplicate keys and more than a few aliases are refused,
and the file size is capped, so an alias bomb or a huge file fails fast with one line.
"""

from __future__ import annotations

import functools
import math
import re

from tinytorch_board.errors import ConfigError

MAX_BYTES = 256 * 1024
MAX_ALIASES = 32
MAX_NODES = 20_000

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


@functools.cache
def _loader_class():
    import yaml
    from yaml.events import AliasEvent

    class StrictLoader(yaml.SafeLoader):
        """SafeLoader with YAML 1.2 core-schema scalars and limits on aliases and nodes."""

        def __init__(self, stream) -> None:
            super().__init__(stream)
            self.aliases = 0
            self.nodes = 0

        def compose_node(self, parent, index):
            if self.check_event(AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    mark = self.peek_event().start_mark
                    raise ConfigError(
                        f"line {mark.line + 1}: more than {MAX_ALIASES} aliases (*name); "
                        "write the values out"
                    )
            else:
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    raise ConfigError(f"more than {MAX_NODES} values; this is not a board.yaml")
            return super().compose_node(parent, index)

        def construct_mapping(self, node, deep=False):
            if not isinstance(node, yaml.MappingNode):
                return super().construct_mapping(node, deep=deep)
            seen: dict = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    raise ConfigError(
                        f"line {key_node.start_mark.line + 1}: a key must be plain text"
                    ) from None
                if key in seen:
                    raise ConfigError(
                        f"line {key_node.start_mark.line + 1}: duplicate key {_short(key)} "
                        f"(first on line {seen[key]}); keep one"
                    )
                seen[key] = key_node.start_mark.line + 1
            return super().construct_mapping(node, deep=deep)

    # The YAML 1.2 core schema replaces every implicit resolver of YAML 1.1.
    StrictLoader.yaml_implicit_resolvers = {}
    for tag, pattern, first in (
        ("bool", _BOOL, "tTfF"),
        ("null", _NULL, ["~", "n", "N", ""]),
        ("int", _INT, "-+0123456789"),
        ("float", _FLOAT, "-+.0123456789"),
    ):
        StrictLoader.add_implicit_resolver(f"tag:yaml.org,2002:{tag}", pattern, list(first))

    def construct_int(loader, node):
        text = loader.construct_scalar(node)
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)

    def construct_float(loader, node):
        text = loader.construct_scalar(node).lower()
        if text.endswith(".inf"):
            return -math.inf if text.startswith("-") else math.inf
        if text == ".nan":
            return math.nan
        return float(text)

    StrictLoader.add_constructor("tag:yaml.org,2002:int", construct_int)
    StrictLoader.add_constructor("tag:yaml.org,2002:float", construct_float)
    return StrictLoader


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _expanded_size(value: object, budget: int) -> int:
    """Values reachable from `value` counting shared ones each time, stopping at budget."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > budget:
            break
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def load_strict(raw: bytes, source: str) -> object:
    """Parse board.yaml bytes; every problem is one ConfigError line naming `source`."""
    import yaml

    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{source}: larger than {MAX_BYTES // 1024} KiB; not a board.yaml")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    loader = _loader_class()(text)
    try:
        data = loader.get_single_data()
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        problem = (exc.problem or exc.context or "not valid YAML").splitlines()[0][:120]
        raise ConfigError(f"{source}: not valid YAML ({where}{problem})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({str(exc).splitlines()[0][:120]})") from None
    except RecursionError:
        raise ConfigError(f"{source}: nested too deeply; not a board.yaml") from None
    finally:
        loader.dispose()
    if _expanded_size(data, MAX_NODES) > MAX_NODES:
        raise ConfigError(f"{source}: aliases expand to more than {MAX_NODES} values")
    return data
