"""Imports the legacy product catalogue CSV into the new catalogue service."""

from __future__ import annotations

import csv
import pickle  # noqa: S403 - only our own signed cache files are unpickled
from decimal import Decimal
from typing import Any

from examples.debt.compat import *  # noqa  # expect: DEBT002

# TODO: drop the latin-1 fallback once the exporter writes UTF-8  # expect: DEBT001
ENCODINGS = ("utf-8", "latin-1")

# TODO(#4412): move the column map into the import profile
COLUMNS = {"sku": "SKU", "name": "Title", "price": "Price"}

# FIXME(marta): prices with a thousands separator are parsed wrong
# HACK: the exporter doubles quotes in the name column, see  # expect: DEBT001
# the thread with the vendor (no ticket yet)


def read_rows(path: str) -> list[dict[str, Any]]:
    for encoding in ENCODINGS:
        try:
            with open(path, encoding=encoding, newline="") as fh:
                return list(csv.DictReader(fh))
        except UnicodeDecodeError:
            continue
    raise ValueError(f"cannot decode {path}")


def to_product(row: dict[str, Any]) -> dict[str, Any]:
    price = Decimal(row[COLUMNS["price"]].replace(",", ""))  # XXX: breaks on "1.234,50"  # expect: DEBT001
    name = row[COLUMNS["name"]].replace('""', '"')
    # TODO: remove when the vendor fixes
    # https://support.vendor.example/tickets/8812 (double-quoted names)
    return {"sku": row[COLUMNS["sku"]], "name": name, "price": price}


def load_cache(blob: bytes) -> dict:
    return pickle.loads(blob)  # type: ignore  # expect: DEBT002, SEC003


def load_cache_typed(blob: bytes) -> dict:
    return pickle.loads(blob)  # type: ignore[no-any-return]  # expect: SEC003


def sku_prefix(sku: str) -> str:
    return sku.split("-")[0]  # reviewlint: ignore  # expect: DEBT002


def todo_list_size(items: list) -> int:
    # a marker inside a string is not a comment
    label = "TODO"
    return len(items) if label else 0
