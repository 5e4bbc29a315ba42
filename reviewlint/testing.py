"""Turn rules' inline ``valid``/``invalid`` examples into pytest cases.

For a plugin author, the whole test module can be::

    from reviewlint.testing import rule_example_tests
    from my_pack import MyRule, MyOtherRule

    test_examples = rule_example_tests(MyRule, MyOtherRule)

Each example runs through the real engine (one parse, one walk, suppressions, positions),
with only its rule enabled and the example's options and path.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from reviewlint.rule import Finding, Invalid, Rule, Valid


@dataclass(frozen=True)
class ExampleCase:
    rule: type[Rule]
    example: Valid | Invalid
    index: int

    @property
    def id(self) -> str:
        kind = "valid" if isinstance(self.example, Valid) else "invalid"
        return f"{self.rule.code}-{kind}-{self.index}"

    @property
    def source(self) -> str:
        return textwrap.dedent(self.example.code).lstrip("\n")

    def findings(self) -> list[Finding]:
        from reviewlint.api import check_source

        options = {self.rule.code: dict(self.example.options)} if self.example.options else None
        return check_source(self.source, self.example.path, select=[self.rule.code], options=options, classes=[self.rule])

    def check(self) -> None:
        """Raise AssertionError with a readable explanation when the example fails."""
        findings = self.findings()
        errors = [f for f in findings if f.viewpoint == "diagnostic"]
        assert not errors, f"{self.id}: the example does not parse/run: {errors[0].code} {errors[0].message}\n{self.source}"
        own = [f for f in findings if f.code == self.rule.code]
        shown = "\n".join(f"  line {f.line}: {f.message}" for f in own) or "  (none)"
        if isinstance(self.example, Valid):
            assert not own, f"{self.id}: expected no finding, got:\n{shown}\n--- code ---\n{self.source}"
            return
        ex = self.example
        assert own, f"{self.id}: expected a {self.rule.code} finding, got none\n--- code ---\n{self.source}"
        if ex.count is not None:
            assert len(own) == ex.count, f"{self.id}: expected {ex.count} findings, got {len(own)}:\n{shown}\n--- code ---\n{self.source}"
        if ex.line is not None:
            assert own[0].line == ex.line, f"{self.id}: expected the first finding on line {ex.line}, got:\n{shown}\n--- code ---\n{self.source}"
        if ex.message is not None:
            assert any(ex.message in f.message for f in own), f"{self.id}: no message contains {ex.message!r}; got:\n{shown}"


def _as_example(item: str | Valid | Invalid, kind: type) -> Valid | Invalid:
    return item if isinstance(item, (Valid, Invalid)) else kind(item)


def example_cases(*rules: type[Rule]) -> list[ExampleCase]:
    """Every inline example of the given rule classes, as cases."""
    cases: list[ExampleCase] = []
    for rule in rules:
        for i, item in enumerate(rule.valid):
            cases.append(ExampleCase(rule, _as_example(item, Valid), i))
        for i, item in enumerate(rule.invalid):
            cases.append(ExampleCase(rule, _as_example(item, Invalid), i))
    return cases


def rule_example_tests(*rules: type[Rule]) -> Callable[[Any], None]:
    """A pytest test function parametrized over every example of ``rules``."""
    import pytest

    cases = example_cases(*rules)

    @pytest.mark.parametrize("case", cases, ids=[c.id for c in cases])
    def test_rule_example(case: ExampleCase) -> None:
        case.check()

    return test_rule_example


def missing_examples(rules: Iterable[type[Rule]]) -> list[str]:
    """Rules without at least one valid and one invalid example (for a pack's own test)."""
    return [f"{r.code}: needs valid and invalid examples" for r in rules if not r.valid or not r.invalid]
