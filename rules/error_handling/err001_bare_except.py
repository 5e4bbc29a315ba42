from __future__ import annotations

import libcst as cst

from reviewlint.analysis.handlers import raises, reraises
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint


class BareExcept(Rule):
    """A bare `except:` that catches everything and does not re-raise.

    ## What it does
    Flags `except:` clauses without an exception type whose body does not re-raise with a
    bare `raise`. A bare `except:` that cleans up and then re-raises is fine.

    ## Why it matters
    `except:` also catches `KeyboardInterrupt`, `SystemExit` and `GeneratorExit`: Ctrl-C,
    `sys.exit()` and worker shutdown are silently turned into "carry on", and programming
    errors (`NameError`, `TypeError`) disappear with the failure you meant to handle. When the
    other side answers 500 or not at all, a reviewer wants to see *which* failure is handled.

    ## Example
    ```python
    try:
        profile = fetch_profile(user_id)
    except:
        profile = None
    ```

    ## Use instead
    ```python
    try:
        profile = fetch_profile(user_id)
    except (httpx.TimeoutException, httpx.HTTPStatusError):
        profile = None
    ```
    """

    code = "ERR001"
    name = "bare-except"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.ERROR_HANDLING
    severity = Severity.WARNING
    peer_codes = frozenset({"E722", "B001", "BLE001", "W0702", "bare-except"})
    message = "bare `except:` catches everything, including KeyboardInterrupt and SystemExit: name the exceptions"

    valid = [
        "try:\n    connect()\nexcept ConnectionError:\n    connect_backup()\n",
        "try:\n    connect()\nexcept Exception:\n    log.exception('x')\n",
        # cleans up and re-raises: nothing is swallowed
        "try:\n    tx.commit()\nexcept:\n    tx.rollback()\n    raise\n",
        "try:\n    tx.commit()\nexcept:\n    if tx.active:\n        tx.rollback()\n    raise\n",
    ]
    invalid = [
        Invalid("try:\n    connect()\nexcept:\n    pass\n", line=3, message="bare `except:`", count=1),
        Invalid("def f():\n    try:\n        return int(x)\n    except:\n        return None\n", line=4),
        # converting Ctrl-C into another error is still a bare except
        Invalid("try:\n    connect()\nexcept:\n    raise RuntimeError('no connection')\n", line=3,
                message="turns KeyboardInterrupt"),
        # a raise inside a nested function does not re-raise this exception
        Invalid("try:\n    connect()\nexcept:\n    def later():\n        raise\n    schedule(later)\n", line=3),
    ]

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.type is not None or reraises(node):
            return
        if raises(node.body):
            self.report(node, "bare `except:` turns KeyboardInterrupt and SystemExit into another error: "
                              "name the exceptions you mean to convert (at the widest `except Exception:`)")
            return
        self.report(node, "bare `except:` catches everything, including KeyboardInterrupt and SystemExit, and "
                          "does not re-raise: name the exceptions (at the widest `except Exception:`)")

