"""Write a company file for the sandbox.

python -m core.sandbox.generate --demo --out resources/demo/company.json
    rebuilds the committed Demo Company (three organisations, one QB Time account).

python -m core.sandbox.generate --out big.json [--contacts 10000 --employees 300
                                 --items 500 --seed 1 --region AU|UK|NZ|GLOBAL|US]
    writes one large organisation for benchmarks.

python -m core.sandbox.generate --readme-tables
    prints the near-miss tables that resources/demo/README.md embeds.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from core.sandbox.common import atomic_write_json
from core.sandbox.demo_data import (
    REGIONS,
    build_demo_company,
    employee_cases_markdown,
    generate_large,
    near_miss_table_markdown,
)


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core.sandbox.generate",
        description="Write a sandbox company file (Xero + QuickBooks Time).",
    )
    parser.add_argument("--out", type=Path, help="file to write (JSON)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="write the committed Demo Company instead of a large organisation",
    )
    parser.add_argument("--contacts", type=_count, default=10000)
    parser.add_argument("--employees", type=_count, default=300)
    parser.add_argument("--items", type=_count, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--region", type=str.upper, choices=REGIONS, default="AU")
    parser.add_argument(
        "--readme-tables",
        action="store_true",
        help="print the README's near-miss tables (markdown) and exit",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.readme_tables:
        sys.stdout.write(near_miss_table_markdown() + "\n" + employee_cases_markdown())
        return 0
    if args.out is None:
        build_parser().error("--out is required")
    if args.demo:
        data = build_demo_company()
    else:
        data = generate_large(
            contacts=args.contacts,
            employees=args.employees,
            items=args.items,
            region=args.region,
            seed=args.seed,
        )
    atomic_write_json(args.out, data)
    args.out.chmod(0o644)  # mkstemp creates 0600; the demo file is committed and shared
    orgs = data["xero"]["organisations"]
    contacts = sum(len(org["Contacts"]) for org in orgs)
    print(
        f"wrote {args.out}: {len(orgs)} organisation(s), {contacts} contacts, "
        f"{len(data['qbtime']['jobcodes'])} QB Time jobcodes, {len(data['qbtime']['users'])} QB Time users"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
