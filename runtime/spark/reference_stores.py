"""Writes a deterministic stores dimension (the reference data the orders enrichment joins) as CSV.

The header and column order match the spec's ``references[name=stores]`` (store_id, store_name,
country, opened_date). Use it to seed ``<reference-uri>/stores/stores.csv`` in a new environment:

    python runtime/spark/reference_stores.py --stores 50 > stores.csv

Store ids are S0001..S<n> plus WEB (the online shop), matching the orders dataset's store_id rule.
Only the standard library is used, so it runs anywhere Python 3.8+ does.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date, timedelta
from typing import List, Sequence, TextIO

HEADER = ("store_id", "store_name", "country", "opened_date")
_CITIES = (
    ("Seattle", "US"), ("Toronto", "CA"), ("Berlin", "DE"), ("London", "GB"), ("Paris", "FR"),
    ("Tokyo", "JP"), ("Sydney", "AU"), ("Sao Paulo", "BR"), ("Mexico City", "MX"), ("Chicago", "US"),
)
_FIRST_OPENING = date(2010, 1, 4)


def store_rows(count: int) -> List[Sequence[str]]:
    """The dimension rows: WEB first, then S0001..S<count>, each with a fixed name, country and opening date."""
    if not 0 <= count <= 9999:
        raise ValueError(f"count must be between 0 and 9999 (store ids have 4 digits); found {count}")
    rows: List[Sequence[str]] = [("WEB", "Online Store", "US", "2015-01-01")]
    for number in range(1, count + 1):
        city, country = _CITIES[(number - 1) % len(_CITIES)]
        opened = _FIRST_OPENING + timedelta(days=97 * (number - 1))
        rows.append((f"S{number:04d}", f"{city} #{number:04d}", country, opened.isoformat()))
    return rows


def write_csv(count: int, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(store_rows(count))


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=50, help="number of physical stores (default 50)")
    args = parser.parse_args(list(argv))
    write_csv(args.stores, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
