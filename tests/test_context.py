"""The shared per-file facts rules read from `self.context`."""

from __future__ import annotations

import textwrap

import libcst as cst

from reviewlint import Rule, Viewpoint
from reviewlint.engine.context import FileContext
from reviewlint.engine.walk import DispatchTable, walk


class Probe(Rule):
    """Records what the context says at every call."""

    code = "PRB001"
    name = "probe"
    viewpoint = Viewpoint.TEAM_DEBT

    def begin(self):
        self.seen = []

    def visit_Call(self, node):
        ctx = self.context
        self.seen.append(
            {
                "call": cst.Module([]).code_for_node(node.func),
                "qualname": ctx.call_name(node),
                "loops": [sorted(loop.targets | loop.derived) for loop in ctx.loops],
                "handler": ctx.handler.types if ctx.handler else None,
                "async": ctx.in_async,
                "function": ctx.function.name.value if ctx.function else None,
                "main": ctx.in_main_block,
            }
        )


def probe(source, path="mod.py"):
    source = textwrap.dedent(source)
    module = cst.parse_module(source)
    rule = Probe()
    ctx = FileContext(path, source, module)
    rule.start_file(ctx, lambda *a: None)

    def crash(rule, exc):
        raise exc

    walk(module, ctx, DispatchTable([rule]), crash)
    return {s["call"]: s for s in rule.seen}


def test_import_aliases():
    seen = probe(
        """
        import requests as rq
        import os.path
        from httpx import AsyncClient as AC, get
        from urllib import request as ur
        rq.get(u)
        os.path.join(a)
        AC()
        get(u)
        ur.urlopen(u)
        print(x)
        local_thing(x)
        """
    )
    assert seen["rq.get"]["qualname"] == "requests.get"
    assert seen["os.path.join"]["qualname"] == "os.path.join"
    assert seen["AC"]["qualname"] == "httpx.AsyncClient"
    assert seen["get"]["qualname"] == "httpx.get"
    assert seen["ur.urlopen"]["qualname"] == "urllib.request.urlopen"
    assert seen["print"]["qualname"] == "builtins.print"
    assert seen["local_thing"]["qualname"] == "local_thing"


def test_relative_imports(tmp_path):
    pkg = tmp_path / "shop" / "api"
    pkg.mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    path = pkg / "views.py"
    seen = probe(
        """
        from . import clients
        from .clients import fetch as f
        from ..models import Order
        clients.make()
        f()
        Order()
        """,
        path=str(path),
    )
    assert seen["clients.make"]["qualname"] == "shop.api.clients.make"
    assert seen["f"]["qualname"] == "shop.api.clients.fetch"
    assert seen["Order"]["qualname"] == "shop.models.Order"


def test_object_tracking():
    seen = probe(
        """
        import requests, httpx, aiohttp

        s = requests.Session()
        s.get(u)

        class Api:
            def __init__(self, client: httpx.Client, token):
                self.http = requests.session()
                self.client = client
                self.token = token

            def a(self):
                self.http.post(u)
                self.client.put(u)
                self.token.strip()

        async def f(c: "httpx.AsyncClient | None" = None):
            async with aiohttp.ClientSession() as session:
                async with session.get(u) as resp:
                    resp.json()
            await c.delete(u)
            with httpx.Client() as w:
                w.head(u)
        """
    )
    assert seen["s.get"]["qualname"] == "requests.Session.get"
    assert seen["self.http.post"]["qualname"] == "requests.Session.post"
    assert seen["self.client.put"]["qualname"] == "httpx.Client.put"
    assert seen["self.token.strip"]["qualname"] is None  # unknown objects are not guessed at
    assert seen["session.get"]["qualname"] == "aiohttp.ClientSession.get"
    assert seen["resp.json"]["qualname"] == "aiohttp.ClientResponse.json"
    assert seen["c.delete"]["qualname"] == "httpx.AsyncClient.delete"
    assert seen["w.head"]["qualname"] == "httpx.Client.head"


def test_loops_handlers_async_main():
    seen = probe(
        """
        async def main(ids):
            for i in ids:
                url = base + str(i)
                try:
                    fetch(url)
                except (ValueError, KeyError):
                    recover(i)
            [one(x) for x in xs if keep(x)]
            def inner():
                sync()
        if __name__ == "__main__":
            run()
        """
    )
    assert seen["fetch"]["loops"] == [["i", "url"]]
    assert seen["fetch"]["async"] is True and seen["fetch"]["function"] == "main"
    assert seen["recover"]["handler"] == ("builtins.ValueError", "builtins.KeyError")
    assert seen["one"]["loops"] == [["x"]]
    assert seen["keep"]["loops"] == [["x"]]
    assert seen["sync"]["async"] is False
    assert seen["run"]["main"] is True and seen["fetch"]["main"] is False
    # the loop's iterable is evaluated outside the loop
    seen = probe("for a in load(b):\n    pass\n")
    assert seen["load"]["loops"] == []
