"""The lean position pass agrees with LibCST's PositionProvider on every node."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from reviewlint.engine.positions import compute_spans
from reviewlint.engine.walk import children

SOURCE = '''\
import os  # comment
@decorator(
    arg,
)
async def f(a, *, b=1) -> int:
    """doc
    string"""
    try:
        x = [i for i in range(3) if i]
    except (ValueError, KeyError) as e:
        raise RuntimeError("x") from e
    else:
        pass
    finally:
        y = {k: v for k, v in os.environ.items()}
    async with g() as h, k():
        await h.call(
            a,
            b=b,
        )
    match a:
        case [1, *rest]:
            return 1
        case _:
            return 2
    if a: return 3
    elif b: return 4
    else: return 5
class C(Base, metaclass=M):
    z: int = 1; w = f"{z!r:>10}"
'''


def all_nodes(module):
    out, stack = [], [module]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(children(node))
    return out


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_spans_match_position_provider(newline):
    module = cst.parse_module(SOURCE.replace("\n", newline))
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [n for n in all_nodes(module) if not isinstance(n, cst.Module)]
    assert len(nodes) > 150
    spans = compute_spans(module, nodes)
    for node in nodes:
        rng = expected[node]
        span = spans[id(node)]
        assert (span.line, span.column, span.end_line, span.end_column) == (
            rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1
        ), type(node).__name__


def test_statement_line_and_early_stop():
    module = cst.parse_module("x = 1\nvalue = compute(\n    call(a),\n)\nlater = 2\n")
    call = module.body[1].body[0].value.args[0].value
    span = compute_spans(module, [call])[id(call)]
    assert (span.line, span.column, span.statement_line) == (3, 5, 2)
