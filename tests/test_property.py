"""Generated programs never crash a check: no exception, no internal error (E900), no timeout (E901).

hypothesmith writes Python source from the language's grammar (``from_grammar``: any token
sequence the grammar allows, often odd but valid) and from LibCST's node types (``from_node``:
deeper, more realistic statements). Every rule runs on each program. The runs are
derandomized, so CI checks the same programs every time; ``python scripts/sweep.py
--hypothesis N`` tries many more with a seed of your choice.
"""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, given, settings  # noqa: E402

from reviewlint.api import check_source  # noqa: E402

# hypothesmith compiles what it generates: `1()` and the like warn while drawing examples
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

INCOMPLETE = ("E900", "E901")
SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def check_completes(source: str) -> None:
    findings = check_source(source, select=["ALL"])
    broken = [f"{f.code} {f.message}" for f in findings if f.code in INCOMPLETE]
    assert broken == [], source


@settings(max_examples=250, **SETTINGS)
@given(hypothesmith.from_grammar())
def test_programs_from_the_grammar_are_checked(source):
    check_completes(source)


@settings(max_examples=100, **SETTINGS)
@given(hypothesmith.from_node())
def test_programs_from_libcst_nodes_are_checked(source):
    check_completes(source)
