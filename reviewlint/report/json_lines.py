"""One JSON object per line (the ``json`` format's objects), for streaming and ``jq -c``."""

from __future__ import annotations

import json

from reviewlint.report import Report
from reviewlint.report.json_format import finding_to_json


def render(report: Report) -> str:
    return "".join(json.dumps(finding_to_json(f), ensure_ascii=False, sort_keys=True) + "\n" for f in report.findings)
