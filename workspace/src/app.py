"""Prints revenue totals by region from a sales CSV file."""

import csv
import sys
from collections import defaultdict


def totals_by_region(path: str) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            totals[row["region"]] += float(row["revenue"])
    return dict(totals)


if __name__ == "__main__":
    for region, revenue in sorted(totals_by_region(sys.argv[1]).items()):
        print(f"{region:<6} {revenue:>10.2f}")
