"""The files in `examples/`: one tenant in three formats, its proposed change, a corpus, logs."""

from __future__ import annotations

import csv
from pathlib import Path

from normalizer import load_tenant
from normalizer.data import example_tenant_path
from tests.test_diff import contoso_variant

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# learn.microsoft.com microsoftteams/teams-analytics-and-reports/pstn-usage-report,
# "Fields in the export": the columns of the report's CSV export, in order.
PSTN_USAGE_REPORT_COLUMNS = [
    "UsageId", "Call ID", "Conference ID", "User Location", "AAD ObjectId", "UPN",
    "User Display Name", "Caller ID", "Call Type", "Number Type", "Domestic/International",
    "Destination Dialed", "Destination Number", "Start Time", "End Time", "Duration Seconds",
    "Connection Fee", "Charge", "Currency", "Capability",
]  # fmt: skip


def plans(path: Path) -> list[tuple[str, tuple[tuple[str, str, str, bool], ...]]]:
    tenant = load_tenant(path)
    return [
        (plan.identity, tuple((r.name, r.pattern, r.translation, r.is_internal_extension) for r in plan.rules))
        for plan in tenant.dial_plans
    ]


def test_the_toml_example_is_the_built_in_tenant() -> None:
    assert (EXAMPLES / "contoso.toml").read_bytes() == example_tenant_path().read_bytes()


def test_the_script_and_the_teams_json_hold_the_same_tenant() -> None:
    toml = load_tenant(EXAMPLES / "contoso.toml")
    for name in ("contoso.ps1", "contoso.json"):
        assert plans(EXAMPLES / name) == plans(EXAMPLES / "contoso.toml"), name
    script = load_tenant(EXAMPLES / "contoso.ps1")
    assert {(u.upn, u.usage_location, u.dial_plan) for u in script.users} == {
        (u.upn, u.usage_location, u.dial_plan) for u in toml.users
    }


def test_contoso_next_is_the_variant_the_diff_tests_use() -> None:
    text = (EXAMPLES / "contoso-next.toml").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("# examples/"))
    assert contoso_variant() in text and body


def test_calls_csv_has_the_pstn_usage_report_columns() -> None:
    with (EXAMPLES / "calls.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == PSTN_USAGE_REPORT_COLUMNS
    assert all(len(row) == len(PSTN_USAGE_REPORT_COLUMNS) for row in rows[1:])
    upns = {user.upn for user in load_tenant(EXAMPLES / "contoso.toml").users}
    assert {row[5] for row in rows[1:]} <= upns
