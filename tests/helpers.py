"""Helpers shared by test modules: small EThOS CSV dumps written for a test."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ld.sources.ethos_csv import COLUMNS_2021


def csv_file(tmp_path: Path, rows: list[dict], name: str = "dump.csv") -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS_2021, lineterminator="\n", restval=" ")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), "utf-8")
    return path


def thesis(n: int, **extra: str) -> dict:
    return {"Title": f"Thesis {n}", "Author": f"Author{n}, A.", "Institution": "University of Leeds", "Date": "2001",
            "Qualification": "Thesis (Ph.D.)", "Abstract": "Text.",
            "EThOS URL": f"https://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.{n}", **extra}  # fmt: skip
