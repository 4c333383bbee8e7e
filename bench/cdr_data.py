"""Synthetic call-detail logs for the `dialplan cdr` benchmarks.

A tenant with a 25-rule tenant-user plan (Paris), a smaller London plan and a
Global plan; about 3,000 users in FR, GB, US, DE and AU; dial strings drawn per
row by category (national, extensions, international, E.164, short codes,
garbage, in the proportions of real traffic) and, within a category, from the
caller's region's vocabulary with Zipf-distributed popularity, so that 1 M rows
hold about 50 k distinct dial strings.

    python -m bench.cdr_data ROWS OUT.csv [--tenant OUT.toml]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

SEED = 20240601

REGIONS = {
    # region: (share of users, calling code, trunk prefix, IDD, national digits after the trunk prefix)
    "FR": (0.40, "33", "0", "00", 9),
    "GB": (0.25, "44", "0", "00", 10),
    "US": (0.20, "1", "1", "011", 10),
    "DE": (0.10, "49", "0", "00", 10),
    "AU": (0.05, "61", "0", "0011", 9),
}

CATEGORIES = ("national", "extension", "international", "e164", "short", "garbage")
MIX = (0.34, 0.25, 0.08, 0.21, 0.07, 0.05)
"""Share of rows per category."""

VOCABULARY = {
    # distinct strings per (category) and region weight: sized for ~50 k distinct in 1 M rows
    "national": 30_000,
    "extension": 9_000,
    "international": 9_000,
    "e164": 14_000,
    "short": 200,
    "garbage": 1_500,
}

SHORT = {
    "FR": ["112", "15", "17", "18", "3949", "118218", "3631", "1014", "115", "119"],
    "GB": ["999", "112", "101", "111", "118118", "100", "123", "150", "155"],
    "US": ["911", "933", "411", "311", "211", "611", "711", "811"],
    "DE": ["112", "110", "116117", "11833", "115"],
    "AU": ["000", "112", "106", "1223", "131", "13 14 50"],
}

FOREIGN = ["33", "44", "1", "49", "61", "34", "39", "31", "41", "46", "81", "86", "91", "55", "971"]


LICENCES = {
    # region: Calling Plans handed out in turn (AU sells none: its users have no plan)
    "FR": ("domestic-120", "domestic-1200", "domestic-1200", "international", "payg"),
    "GB": ("domestic-120", "domestic-240", "domestic-1200", "international"),
    "DE": ("domestic-240", "domestic-1200", "international"),
    "US": ("domestic-3000", "domestic-3000", "international"),
}

RATES = "prefix,rate,currency\n+1,0.01,USD\n+33,0.02,USD\n+336,0.06,USD\n+44,0.02,USD\n+49,0.03,USD\n+61,0.08,USD\n+8,0.10,USD\n+9,0.12,USD\n"
"""A rate card for the Calling Plan replay benchmark."""


def tenant_toml(licensed: bool = False) -> str:
    """The benchmark tenant: a 25-rule Paris plan, a London plan, a Global plan, and users.

    `licensed`: users also get Calling Plans (`LICENCES`), every third one
    Communications Credits, and the tenant a credits balance with auto-recharge.
    """
    rules = [
        ("Paris-Ext-7", r"^(7\d{3})$", "+3319999$1", True),
        ("Paris-Ext-6", r"^(6\d{3})$", "+3319998$1", True),
        ("Lyon-Ext", r"^(5[0-4]\d{2})$", "+3347299$1", True),
        ("Nice-Ext", r"^(5[5-9]\d{2})$", "+3349399$1", True),
        ("Paris-Reception", r"^(0)$", "+33199990000", False),
        ("FR-TollFree", r"^0?(80\d{7})\d*$", "+33$1", False),
        ("FR-Service", r"^(1\d{1,2}|11[68]\d{3}|10\d{2}|3\d{3})$", "$1", False),
        ("FR-Premium", r"^0?(8[19]\d{7})$", "+33$1", False),
        ("FR-Mobile", r"^0([67]\d{8})$", "+33$1", False),
        ("FR-Paris", r"^0(1\d{8})$", "+33$1", False),
        ("FR-NorthWest", r"^0(2\d{8})$", "+33$1", False),
        ("FR-NorthEast", r"^0(3\d{8})$", "+33$1", False),
        ("FR-SouthEast", r"^0(4\d{8})$", "+33$1", False),
        ("FR-SouthWest", r"^0(5\d{8})$", "+33$1", False),
        ("FR-NonGeo", r"^0(9\d{8})$", "+33$1", False),
        ("FR-Intl", r"^00(\d{7,15})$", "+$1", False),
        ("FR-Plus", r"^\+(\d{7,15})$", "+$1", False),
        ("FR-Tel-URI", r"^tel:(\+\d{7,15})$", "$1", False),
        ("FR-Outside-Line", r"^0(0\d{9})$", "+33$1", False),
        ("FR-Ext-Suffix", r"^(\+?\d+);?(?:ext|x)=?(\d+)$", "$1;ext=$2", False),
        ("UK-Office", r"^(44\d{4})$", "+44207946$1", True),
        ("US-Office", r"^(1\d{4})$", "+1212555$1", True),
        ("Voicemail", r"^\*86$", "+33199990086", False),
        ("Conference", r"^(\*8\d{2})$", "+331999908$1", False),
        ("FR-Catch-Short", r"^(\d{2,3})$", "$1", False),
    ]
    lines = ['[tenant]\nname = "Bench"\n']

    def plan(identity: str, entries: list[tuple[str, str, str, bool]]) -> None:
        lines.append(f'[[dial_plans]]\nidentity = "{identity}"\n')
        for name, pattern, translation, extension in entries:
            lines.append(
                f'[[dial_plans.rules]]\nname = "{name}"\npattern = \'{pattern}\'\n'
                f"translation = '{translation}'\nis_internal_extension = {str(extension).lower()}\n"
            )

    plan("HQ-Paris", rules)
    plan(
        "London",
        [
            ("London-Ext", r"^(4\d{3})$", "+44207946$1", True),
            ("London-Switchboard", r"^(0)$", "+442079460000", False),
            ("GB-Mobile", r"^0(7\d{9})$", "+44$1", False),
            ("GB-Intl", r"^00(\d{7,15})$", "+$1", False),
            ("GB-Plus", r"^\+(\d{7,15})$", "+$1", False),
            ("Paris-Ext", r"^(7\d{3})$", "+3319999$1", True),
        ],
    )
    plan(
        "Global",
        [
            ("Global-Plus", r"^\+(\d{7,15})$", "+$1", False),
            ("Global-Ext", r"^(2\d{3})$", "+1212555$1", True),
            ("US-10-Digit", r"^([2-9]\d{9})$", "+1$1", False),
        ],
    )
    rng = np.random.default_rng(SEED)
    for index, upn, region in users(rng):
        assigned = ""
        if region == "FR" and index % 4:
            assigned = 'dial_plan = "HQ-Paris"\n'
        elif region == "GB" and index % 5 < 3:
            assigned = 'dial_plan = "London"\n'
        if licensed and region in LICENCES:
            plans = LICENCES[region]
            assigned += f'calling_plan = "{plans[index % len(plans)]}"\n'
            assigned += f"communications_credits = {str(index % 3 == 0).lower()}\n"
        lines.append(f'[[users]]\nupn = "{upn}"\nusage_location = "{region}"\n{assigned}')
    if licensed:
        lines.append('[communications_credits]\nbalance = 5000\ncurrency = "USD"\nrecharge_below = 1000\nrecharge_amount = 2000\n')
    return "\n".join(lines)


def users(rng: np.random.Generator, count: int = 3000) -> list[tuple[int, str, str]]:
    """(index, upn, region) of every user."""
    names = list(REGIONS)
    shares = np.array([REGIONS[name][0] for name in names])
    regions = rng.choice(len(names), size=count, p=shares / shares.sum())
    return [(i, f"user{i:05d}@bench.example", names[r]) for i, r in enumerate(regions.tolist())]


def _digits(rng: np.random.Generator, count: int, width: int) -> list[str]:
    return [f"{value:0{width}d}" for value in rng.integers(0, 10**width, size=count).tolist()]


def vocabulary(rng: np.random.Generator, region: str, category: str, size: int) -> list[str]:
    """`size` distinct-ish dial strings of one category for callers in `region`."""
    _, code, trunk, idd, width = REGIONS[region]
    if category == "national":
        lead = rng.integers(1, 10, size=size).tolist()
        rest = _digits(rng, size, width - 1)
        out = [f"{trunk}{a}{b}" if region != "US" else f"{a + 1 if a < 9 else 9}{b}" for a, b in zip(lead, rest)]
        # People paste numbers with separators.
        return [f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:8]} {n[8:]}" if i % 9 == 0 else n for i, n in enumerate(out)]
    if category == "extension":
        first = {"FR": "7665", "GB": "4477", "US": "2211", "DE": "3", "AU": "8"}[region]
        return [f"{first[i % len(first)]}{d}" for i, d in enumerate(_digits(rng, size, 3))]
    if category == "international":
        foreign = [c for c in FOREIGN if c != code]
        picks = rng.integers(0, len(foreign), size=size).tolist()
        return [f"{idd}{foreign[p]}{d}" for p, d in zip(picks, _digits(rng, size, 9))]
    if category == "e164":
        picks = rng.integers(0, len(FOREIGN), size=size).tolist()
        out = [f"+{FOREIGN[p]}{d}" for p, d in zip(picks, _digits(rng, size, 9))]
        return [f"{n};ext={i % 1000}" if i % 50 == 0 else n for i, n in enumerate(out)]
    if category == "short":
        return (SHORT[region] * (size // len(SHORT[region]) + 1))[:size]
    junk = ["abc", "+", "00", "#31#", "*67", "tel:", "x", "0-", "()", "++33", "1234567890123456789012"]
    return [f"{junk[i % len(junk)]}{i}" if i >= len(junk) else junk[i] for i in range(size)]


def _zipf(rng: np.random.Generator, size: int, count: int, exponent: float = 1.05) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    return rng.choice(size, size=count, p=weights / weights.sum())


def generate(rows: int, seed: int = SEED) -> pa.Table:
    """A call-detail table: call_id, start_time, caller_upn, dialed, duration_s, direction."""
    rng = np.random.default_rng(SEED)
    people = users(rng)
    rng = np.random.default_rng(seed)
    region_names = list(REGIONS)
    user_region = np.array([region_names.index(region) for _, _, region in people])
    caller = rng.integers(0, len(people), size=rows)
    category = rng.choice(len(CATEGORIES), size=rows, p=np.array(MIX) / sum(MIX))
    dialed = np.empty(rows, dtype=object)
    vocab_rng = np.random.default_rng(SEED + 1)
    for r, region in enumerate(region_names):
        share = REGIONS[region][0]
        for c, name in enumerate(CATEGORIES):
            mask = (user_region[caller] == r) & (category == c)
            count = int(mask.sum())
            if not count:
                continue
            words = vocabulary(vocab_rng, region, name, max(10, int(VOCABULARY[name] * share)))
            dialed[mask] = np.array(words, dtype=object)[_zipf(rng, len(words), count)]
    start = np.datetime64("2024-03-01T00:00:00") + np.sort(rng.integers(0, 90 * 86400, size=rows)).astype("timedelta64[s]")
    return pa.table(
        {
            "call_id": pa.array(np.arange(1, rows + 1)).cast(pa.string()),
            "start_time": pa.array(start.astype(str)),
            "caller_upn": pa.array([people[i][1] for i in caller.tolist()]),
            "dialed": pa.array(dialed.tolist(), pa.string()),
            "duration_s": pa.array(rng.integers(0, 3600, size=rows)).cast(pa.string()),
            "direction": pa.array(np.where(rng.random(rows) < 0.9, "outbound", "forwarded").tolist()),
        }
    )


def write_csv(path: Path, rows: int, seed: int = SEED, chunk: int = 1_000_000) -> None:
    """Write `rows` rows in chunks (bounded memory for multi-million-row files)."""
    with path.open("wb") as sink:
        for start in range(0, rows, chunk):
            table = generate(min(chunk, rows - start), seed + start)
            table = table.set_column(0, "call_id", pa.array(np.arange(start + 1, start + table.num_rows + 1)).cast(pa.string()))
            pa_csv.write_csv(
                table, sink, pa_csv.WriteOptions(include_header=start == 0, quoting_style="none")
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--tenant", type=Path)
    args = parser.parse_args()
    write_csv(args.output, args.rows)
    if args.tenant:
        args.tenant.write_text(tenant_toml(), encoding="utf-8")


if __name__ == "__main__":
    main()
