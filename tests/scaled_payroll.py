"""The Demo Company with more AU payroll employees, for the tests and the benchmark of AU
timesheets sent 50 a call (tests/e2e/test_au_timesheets_fifty_a_call.py,
tests/benchmarks/test_bench_import.py::test_payroll_export_calls_per_pay_period)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from core.sandbox.server import DEMO_COMPANY_FILE

#: the Xero employee ids of the clones: ``CLONE_ID_PREFIX`` and their number
CLONE_ID_PREFIX = "00000000-0000-4000-8000-"


def write_scaled_au_company(path: Path, people: int) -> Path:
    """The Demo Company with ``people`` more AU employees written to ``path``: each a clone
    of Olivia Brown (her pay calendar, her QuickBooks Time user and hours), named "Worker
    Number N" with their own e-mail (the import links them by it)."""
    data = json.loads(Path(DEMO_COMPANY_FILE).read_text(encoding="utf-8"))
    au = data["xero"]["organisations"][0]
    qbt = data["qbtime"]
    olivia_x = next(e for e in au["payroll"]["Employees"] if e["FirstName"] == "Olivia")
    olivia_q = next(u for u in qbt["users"] if u["first_name"] == "Olivia")
    hers = [t for t in qbt["timesheets"] if t["user_id"] == olivia_q["id"]]
    next_sheet = max(t["id"] for t in qbt["timesheets"]) + 1
    for i in range(people):
        email = f"worker{i}@maisonverdure.com.au"
        emp = copy.deepcopy(olivia_x)
        emp.update(
            EmployeeID=f"{CLONE_ID_PREFIX}{i:012d}",
            FirstName="Worker",
            LastName=f"Number {i:04d}",
            Email=email,
        )
        au["payroll"]["Employees"].append(emp)
        user = copy.deepcopy(olivia_q)
        user.update(
            id=9_000_000 + i,
            first_name="Worker",
            last_name=f"Number {i:04d}",
            email=email,
            username=email,
            employee_number=10_000 + i,
            pto_balances={},
        )
        qbt["users"].append(user)
        for sheet in hers:
            copied = copy.deepcopy(sheet)
            copied.update(id=next_sheet, user_id=user["id"], created_by_user_id=user["id"])
            next_sheet += 1
            qbt["timesheets"].append(copied)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
