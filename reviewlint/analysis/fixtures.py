"""Is this code test data that lives outside the test folders? (SEC006)

Projects keep fixture users and sample records next to the application code:
``ckan/lib/create_test_data.py``, ``myapp/fixtures.py``, factory_boy ``factories.py``,
``myapp/testing/`` helpers, functions such as ``create_test_data()`` or ``load_fixtures()``,
``@pytest.fixture`` functions in a plugin module. A password there logs in to a throw-away test
database, not to anything real. The file-role setting ``test-paths`` does not see these; this
module recognises them by the words of the module path and of the enclosing function or class.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from reviewlint.analysis.credentials import words

if TYPE_CHECKING:  # pragma: no cover
    from reviewlint.engine.context import FileContext

#: words (of a path part, function or class name) that mark test data
FIXTURE_WORDS = frozenset(
    {"test", "tests", "testing", "testdata", "testutils", "fixture", "fixtures", "factories", "mock", "mocks",
     "fake", "fakes", "faker", "stub", "stubs", "dummy", "demo", "sample"}
)
_MEMO = "fixtures.module"


def _has_fixture_word(name: str) -> bool:
    return any(w in FIXTURE_WORDS for w in words(name))


def fixture_module(ctx: "FileContext") -> bool:
    """The module's path (folders and file stem) names test data: ``lib/create_test_data.py``,
    ``core/testing/integration.py``, ``users/factories.py``."""
    found = ctx.memo.get(_MEMO)
    if found is None:
        parts = ctx.relative_path.split("/")
        parts[-1] = re.sub(r"\.pyi?$", "", parts[-1])
        found = ctx.memo[_MEMO] = any(_has_fixture_word(p) for p in parts if p)
    return found


def in_fixture_code(ctx: "FileContext") -> bool:
    """Inside a fixture module, or a function/class named for test data (``create_test_data``,
    ``CreateTestData``, ``make_fake_user``) or decorated as a fixture (``@pytest.fixture``)."""
    if fixture_module(ctx):
        return True
    for func in ctx.functions:
        if _has_fixture_word(func.name.value):
            return True
        for decorator in func.decorators:
            target = decorator.decorator
            if isinstance(target, cst.Call):
                target = target.func
            last = target.attr.value if isinstance(target, cst.Attribute) else getattr(target, "value", "")
            if isinstance(last, str) and last == "fixture":
                return True
    return any(_has_fixture_word(info.node.name.value) for info in ctx.classes)
