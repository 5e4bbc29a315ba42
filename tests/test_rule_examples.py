"""Every built-in rule's inline valid/invalid examples, run through the real engine."""

from reviewlint.rules import RULES
from reviewlint.testing import missing_examples, rule_example_tests

test_builtin_rule_examples = rule_example_tests(*RULES)


def test_every_rule_has_examples_and_docs():
    assert missing_examples(RULES) == []
    for rule in RULES:
        doc = rule.docs()
        for section in ("## What it does", "## Why it matters", "## Example", "## Use instead"):
            assert section in doc, f"{rule.code} docs lack {section!r}"
