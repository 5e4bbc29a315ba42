from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import code_of
from reviewlint.knowledge import http
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint

#: annotations that say nothing about the payload's shape
_UNTYPED_ANNOTATIONS = frozenset({"dict", "Dict", "Any", "Mapping", "MutableMapping", "list", "List", "object", "JSON", "Json"})


class UntypedPayloadAccess(Rule):
    """Digging into an HTTP response's JSON by string keys, two levels deep or more.

    ## What it does
    Flags chained subscripting into the result of an HTTP response's `.json()`:
    `r.json()["data"]["items"]`, `(await resp.json())["a"][0]`, or a variable that holds it
    (`payload = r.json()` … `payload["user"]["id"]`), two levels or more. The response is
    recognised from the HTTP knowledge: `requests`, `httpx`, `aiohttp`, `urllib3` responses
    tracked through assignment and `async with ... as`.

    Not flagged: one level (`r.json()["id"]`), a variable annotated with a model type
    (`payload: UserPayload = r.json()`, a TypedDict/dataclass), `.get()` chains, and JSON that
    does not come from a known HTTP response.

    ## Why it matters
    The shape of the other side's payload becomes hidden knowledge spread over the code: a
    renamed field fails as a `KeyError` deep in business logic instead of at the boundary,
    and nobody can see in one place which fields the service relies on.

    ## Example
    ```python
    resp = client.get(f"/users/{uid}")
    city = resp.json()["address"]["city"]
    ```

    ## Use instead
    ```python
    class Address(BaseModel):
        city: str

    class User(BaseModel):
        address: Address

    user = User.model_validate(resp.json())
    city = user.address.city
    ```
    """

    code = "MAINT004"
    name = "untyped-payload-access"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.MAINTAINABILITY
    severity = Severity.INFO
    skip_roles = frozenset({"generated", "migration", "test"})
    message = "chained subscripting into an untyped JSON payload: parse it into a typed model"

    valid = [
        # one level
        "import requests\n\ndef f(uid):\n    return requests.get(f'https://x.org/u/{uid}', timeout=3).json()['id']\n",
        # a typed model annotation
        "import requests\nfrom typing import TypedDict\n\nclass User(TypedDict):\n    address: dict\n\n"
        "def f(uid):\n    r = requests.get('https://x.org/u', timeout=3)\n    data: User = r.json()\n"
        "    return data['address']['city']\n",
        # .get() chains are not subscripting
        "import requests\n\ndef f():\n    r = requests.get('https://x.org/u', timeout=3)\n"
        "    return r.json().get('address', {}).get('city')\n",
        # not a known HTTP response
        "import json\n\ndef f(text):\n    return json.loads(text)['a']['b']\n",
        "def f(resp):\n    return resp.json()['a']['b']\n",
        # the name is re-bound to something else
        "import requests\n\ndef f():\n    data = requests.get('https://x.org/u', timeout=3).json()\n"
        "    data = normalise(data)\n    return data['a']['b']\n",
    ]
    invalid = [
        Invalid("import requests\n\ndef city(uid):\n    r = requests.get(f'https://x.org/u/{uid}', timeout=3)\n"
                "    return r.json()['address']['city']\n", line=5, message="`r.json()['address']['city']`"),
        Invalid("import httpx\n\ndef f(client: httpx.Client):\n    payload = client.get('/orders').json()\n"
                "    for item in payload['data']['items']:\n        print(item)\n", line=5, message="2 levels"),
        Invalid("import aiohttp\n\nasync def f(session: aiohttp.ClientSession):\n    async with session.get('/x') as resp:\n"
                "        data = await resp.json()\n        return data['result'][0]['id']\n", line=6, message="3 levels"),
        Invalid("import httpx\n\nasync def f(client: httpx.AsyncClient):\n    resp = await client.get('/x')\n"
                "    body: dict = resp.json()\n    return body['a']['b']\n", line=6),
        Invalid("import requests\n\ndef f():\n    return requests.get('https://x.org/u', timeout=3).json()['a']['b']\n", line=4),
    ]

    def begin(self) -> None:
        #: ids of ``.json()`` calls assigned with a model annotation (typed: not reported)
        self._typed: set[int] = set()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and not _is_untyped_annotation(node.annotation.annotation):
            self._typed.add(id(node.value))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        ctx = self.context
        parent = ctx.parent
        if isinstance(parent, cst.Subscript) and parent.value is node:
            return  # the outermost subscript of the chain reports
        depth = 0
        base: cst.BaseExpression = node
        while isinstance(base, cst.Subscript):
            depth += 1
            base = base.value
        if depth < 2 or not self._is_response_json(base):
            return
        shown = " ".join(code_of(node).split())
        if len(shown) > 60:
            shown = shown[:59] + "…"
        self.report(node, f"`{shown}` digs {depth} levels into an untyped JSON payload: parse it into a typed model "
                          "(dataclass, TypedDict, pydantic) where it enters the service")

    def _is_response_json(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name):
            binding = self.context.lookup(expr.value)
            origin = binding.origin if binding is not None else None
            if origin is None or id(origin) in self._typed or not isinstance(origin, (cst.Call, cst.Await)):
                return False
            return self._is_json_call(origin)
        return self._is_json_call(expr)

    def _is_json_call(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute) or expr.func.attr.value != "json":
            return False
        name = self.context.call_name(expr) or ""
        owner = name[: -len(".json")] if name.endswith(".json") else ""
        return http.TYPE_ALIASES.get(owner, owner) in http.RESPONSE_TYPES


def _is_untyped_annotation(annotation: cst.BaseExpression) -> bool:
    if isinstance(annotation, cst.Subscript):
        annotation = annotation.value
    if isinstance(annotation, cst.Attribute):
        return annotation.attr.value in _UNTYPED_ANNOTATIONS
    if isinstance(annotation, cst.Name):
        return annotation.value in _UNTYPED_ANNOTATIONS
    return True  # a string or union: do not claim it is a model
