"""Fast, escape-exact markup for pages written by the hundred thousand.

Rendering Jinja per page (or a macro per table row) costs more than writing the page.
A template or macro is rendered once, with a marker in every value slot, into a
fill-in pattern (`FillIn`); filling it only escapes and joins strings. The template
stays the one source of the markup, and autoescape's semantics hold: every value is
escaped as markupsafe.escape does (plain text is escaped, Markup passes).
"""

from __future__ import annotations

from markupsafe import Markup

from tinytorch_board.errors import BoardError

# markupsafe.escape's replacements, for the hot paths that join plain strings: the same
# output without building a Markup object per value (a test compares the two).
_HTML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def html_text(value: object) -> str:
    """str(markupsafe.escape(value)): Markup passes as it is, anything else is escaped.

    Most texts hold none of the five characters; looking for them is cheaper than
    rebuilding the string."""
    if type(value) is str:
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            return value.translate(_HTML_TEXT)
        return value
    if hasattr(value, "__html__"):
        return value.__html__()
    return html_text(str(value))


class FillIn:
    """Markup rendered once with a marker in each of `fields`, filled by `fill(*values)`
    (values in the order of `fields`; a field may appear any number of times).

    Every value is escaped as markupsafe.escape does, except those of `raw` fields:
    numbers we format and markup built from escaped parts, inserted as they are."""

    def __init__(
        self, source: str, fields: tuple[str, ...], where: str, raw: tuple[str, ...] = ()
    ) -> None:
        parts = str(source).split("\x00")
        if len(parts) % 2 == 0 or any(f not in fields for f in parts[1::2]):
            raise BoardError(f"{where}: a value holds a NUL character; remove it from board.yaml")
        index = {name: i for i, name in enumerate(fields)}
        pattern = [parts[0].replace("{", "{{").replace("}", "}}")]
        for name, literal in zip(parts[1::2], parts[2::2], strict=True):
            pattern.append(f"{{{index[name]}}}")
            pattern.append(literal.replace("{", "{{").replace("}", "}}"))
        self._format = "".join(pattern).format
        self._escaped = [i for i, name in enumerate(fields) if name not in raw]
        self.fields = fields

    @classmethod
    def template(
        cls, env, name: str, fields: tuple[str, ...], raw: tuple[str, ...] = (), **constants
    ) -> FillIn:
        """A whole template (constants rendered into it as they are)."""
        text = env.get_template(name).render(**constants, **markers(fields))
        return cls(text, fields, name, raw)

    @classmethod
    def macro(
        cls, macros, name: str, fields: tuple[str, ...], raw: tuple[str, ...] = (), **shape
    ) -> FillIn:
        """A macro of a template module (`env.get_template(...).module`), for one shape:
        the arguments that pick its branches."""
        return cls(getattr(macros, name)(**shape, **markers(fields)), fields, name, raw)

    def fill(self, *values: object) -> str:
        values = list(values)
        for i in self._escaped:
            values[i] = html_text(values[i])
        return self._format(*values)


def markers(fields: tuple[str, ...]) -> dict[str, Markup]:
    return {f: Markup(f"\x00{f}\x00") for f in fields}
