"""`# reviewlint: ignore[...]` comments."""

from __future__ import annotations

from reviewlint.api import check_source
from reviewlint.suppress import parse_suppressions

CALL = "requests.get('https://x.org')"


def codes(source):
    return [(f.line, f.code) for f in check_source(source, select=["REL001", "OBS002"])]


def test_line_suppression_by_code_name_and_prefix():
    src = (
        "import requests\n"
        f"{CALL}  # reviewlint: ignore[REL001]\n"
        f"{CALL}  # reviewlint: ignore[http-call-without-timeout] -- legacy endpoint\n"
        f"{CALL}  # reviewlint: ignore[REL]\n"
        f"{CALL}  # reviewlint: ignore[OBS002]\n"
        f"{CALL}  # reviewlint: ignore\n"
        f"{CALL}  # noqa\n"
        f"{CALL}  # type: ignore\n"
    )
    assert codes(src) == [(5, "REL001"), (7, "REL001"), (8, "REL001")]


def test_multiline_statement_first_line():
    src = (
        "import requests\n"
        "resp = requests.get(  # reviewlint: ignore[REL001] -- reason\n"
        "    'https://x.org',\n"
        ")\n"
        "value = compute(\n"
        "    requests.get('https://x.org'),  # reviewlint: ignore[REL001]\n"
        ")\n"
        "other = compute(\n"
        "    requests.get('https://x.org'),\n"
        ")\n"
    )
    assert codes(src) == [(9, "REL001")]


def test_file_level_only_in_first_comment_block():
    header = "#!/usr/bin/env python\n# reviewlint: ignore-file[REL001]\n\nimport requests\n" + CALL + "\n"
    assert codes(header) == []
    late = "import requests\n# reviewlint: ignore-file\n" + CALL + "\n"
    assert codes(late) == [(3, "REL001")]
    everything = "# reviewlint: ignore-file\nimport requests\n" + CALL + "\n"
    assert codes(everything) == []


def test_directive_inside_string_is_not_a_suppression():
    src = "import requests\nrequests.get('https://x.org/#reviewlint: ignore')\n"
    assert codes(src) == [(2, "REL001")]


def test_parse_reason_and_codes():
    (sup,) = parse_suppressions("x = 1  # reviewlint: ignore[A001, B002] -- flaky upstream\n")
    assert sup.codes == frozenset({"A001", "B002"}) and sup.reason == "flaky upstream" and sup.line == 1
