"""Rule documentation, generated from the rule classes (``reviewlint explain``, docs/rules.md)."""

from __future__ import annotations

import textwrap

from reviewlint.engine.roles import ROLES
from reviewlint.rule import Invalid, Rule, Valid


def _code(example: str | Valid | Invalid) -> str:
    text = example if isinstance(example, str) else example.code
    return textwrap.dedent(text).strip("\n")


def explain_rule(cls: type[Rule]) -> str:
    """The rule's docs as Markdown: header, docstring sections, options, examples."""
    out = [f"# {cls.code} {cls.name}", ""]
    meta = f"Viewpoint: {cls.viewpoint.title} ({cls.viewpoint.value}) · Severity: {cls.severity.value}"
    meta += f" · Fixable: {'yes' if cls.fixable else 'no'}"
    if cls.preview:
        meta += " · Preview (enable by selecting it explicitly)"
    elif cls.opt_in:
        meta += " · Opt-in: in the `strict` set (enable with `extend-select = [\"strict\"]` or by its code)"
    else:
        meta += " · In the default set"
    skipped = [role for role in ROLES if role in cls.skipped_roles()]
    if skipped:
        meta += " · Not checked in " + ", ".join(f"{r} files (`{r}-paths`)" for r in skipped)
    lowered = [role for role in ROLES if role in cls.lower_roles and role not in skipped]
    if lowered:
        meta += " · Reported as info in " + ", ".join(f"{r} files" for r in lowered)
    if cls.peer_codes:
        meta += " · Also silenced by the same problem's codes of other linters: " + ", ".join(
            f"`{c}`" for c in sorted(cls.peer_codes))
    out += [meta, ""]
    out.append(cls.docs() or cls.message)
    if cls.options:
        out += ["", "## Options", ""]
        for key, opt in cls.options.items():
            out.append(f"- `{key}` ({opt.type_name}, default `{opt.default!r}`): {opt.help}")
        out.append("")
        out.append(f"Set them under `[tool.reviewlint.rules.{cls.code}]`.")
    if cls.invalid:
        out += ["", "## Flagged", ""]
        for ex in cls.invalid:
            out += ["```python", _code(ex), "```"]
    if cls.valid:
        out += ["", "## Not flagged", ""]
        for ex in cls.valid:
            out += ["```python", _code(ex), "```"]
    return "\n".join(out).rstrip() + "\n"
