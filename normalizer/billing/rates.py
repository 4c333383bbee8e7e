"""A Communications Credits rate card: E.164 prefix, rate per minute, currency (CSV).

The longest prefix that starts the number wins. A header line (`prefix,rate,currency`)
is optional; `#` starts a comment line.

>>> card = rate_card_from_text("prefix,rate,currency\\n+33,0.05,USD\\n+331,0.02,USD\\n")
>>> card.rate("+33123456789"), card.rate("+33612345678"), card.rate("+44")
(0.02, 0.05, None)
>>> rate_card_from_text("+33,cheap,USD", "rates.csv")
Traceback (most recent call last):
...
normalizer.errors.TenantFileError: rates.csv: field 'rate': line 1: 'cheap' is not a number
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from normalizer.classify import e164_part
from normalizer.errors import TenantFileError, UnknownCallingPlanError

if TYPE_CHECKING:
    from normalizer.billing.catalog import PlanCatalog

MAX_RATE = 1_000_000.0
"""The largest rate per minute a rate card may hold: money stays a finite number."""
MAX_PRICE = 1_000_000.0
"""The largest monthly price of a licence a price file may hold: costs stay finite numbers."""


@dataclass(frozen=True, slots=True)
class RateCard:
    """Rates per minute by E.164 prefix, in one currency."""

    rates: dict[str, float]
    currency: str
    source: str = "<rates>"
    longest: int = field(init=False, default=0)
    """The length of the longest prefix, computed once."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "longest", max((len(prefix) for prefix in self.rates), default=0))

    def rate(self, number: str) -> float | None:
        """The rate of the longest prefix of `number`, or None when none matches."""
        number = e164_part(number)
        for size in range(min(len(number), self.longest), 0, -1):
            found = self.rates.get(number[:size])
            if found is not None:
                return found
        return None

    def rates_of_array(self, numbers: pa.Array) -> np.ndarray:
        """Rates of an Arrow array of numbers (NaN: no prefix matches), longest prefix first, in Arrow."""
        plain = numbers.cast(pa.string())
        extended = pc.fill_null(pc.match_substring(plain, ";"), False)
        if pc.any(extended).as_py():  # a Direct Routing extension: rated without it (a regex only there)
            cut = pc.replace_substring_regex(plain.filter(extended), ";.*$", "")
            plain = pc.replace_with_mask(plain, extended, cut)
        plain = pc.fill_null(plain, "")
        keys = pa.array(list(self.rates), pa.string())
        values = np.array(list(self.rates.values()), np.float64)
        found = np.full(len(numbers), np.nan)
        lengths = np.asarray(pc.utf8_length(plain).to_numpy(zero_copy_only=False), np.int64)
        for size in sorted({len(prefix) for prefix in self.rates}, reverse=True):
            index = pc.index_in(pc.utf8_slice_codeunits(plain, 0, size), value_set=keys)
            codes = np.asarray(pc.fill_null(index, -1).to_numpy(zero_copy_only=False), np.int64)
            take = (codes >= 0) & (lengths >= size) & np.isnan(found)
            found[take] = values[codes[take]]
        return found


def rate_problem(rate: float) -> str | None:
    """What is wrong with a rate per minute (None: nothing): money must stay a finite number.

    >>> rate_problem(0.05), rate_problem(float("inf")), rate_problem(-1.0)
    (None, 'is not a finite number', 'is negative')
    """
    if not math.isfinite(rate):
        return "is not a finite number"
    if rate < 0:
        return "is negative"
    if rate > MAX_RATE:
        return f"is more than the limit of {MAX_RATE:,.0f} a minute"
    return None


def prefix_problem(prefix: str, earlier: int | None = None) -> str | None:
    """What is wrong with a rate card's prefix (None: nothing); `earlier`: the line that already has it.

    The digits are ASCII ones: `str.isdigit` also takes other scripts' digits
    (`+٣٣`), which no dialled number holds, so such a rate would never match.

    >>> prefix_problem("+33"), prefix_problem("+\u0663\u0663"), prefix_problem("+33", 2)
    (None, 'is not an E.164 prefix (+ and digits 0-9)', 'repeats the prefix of line 2')
    """
    if not prefix.startswith("+") or not prefix[1:].isascii() or not prefix[1:].isdigit():
        return "is not an E.164 prefix (+ and digits 0-9)"
    if earlier is not None:
        return f"repeats the prefix of line {earlier}"
    return None


def price_problem(price: float) -> str | None:
    """What is wrong with a licence's monthly price (None: nothing).

    >>> price_problem(8.0), price_problem(float("nan")), price_problem(-1.0)
    (None, 'is not a finite number', 'is negative')
    """
    if not math.isfinite(price):
        return "is not a finite number"
    if price < 0:
        return "is negative"
    if price > MAX_PRICE:
        return f"is more than the limit of {MAX_PRICE:,.0f} a licence a month"
    return None


def plan_problem(catalog: PlanCatalog, region: str, plan: str) -> tuple[str, str] | None:
    """The field of a price line that names no licence sold, and why (None: it is sold):
    a mistyped plan id would otherwise leave its recommendations without a cost.

    >>> from normalizer.billing.catalog import default_plan_catalog
    >>> plan_problem(default_plan_catalog(), "fr", "domestic-120") is None
    True
    >>> plan_problem(default_plan_catalog(), "GB", "domestic-12O")[0]
    'plan'
    """
    try:
        catalog.plan(region, plan)
    except UnknownCallingPlanError as exc:
        return ("plan" if region.upper() in catalog.countries else "region"), str(exc)
    return None


def _money_rows(
    text: str,
    source: str,
    columns: tuple[str, ...],
    amount: str,
    problem_of: Callable[[float], str | None],
) -> Iterator[tuple[int, list[str], float]]:
    """Each data line of a money CSV with `columns` (the currency last): its number,
    cells and the column `amount` read as money. Blank lines, `#` comments and a
    header line are skipped; every line must use the first line's currency.
    Errors name the line and field.
    """
    currency: str | None = None
    at = columns.index(amount)
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in row]
        if number == 1 and cells[0].lower() == columns[0]:
            continue
        if len(cells) != len(columns):
            raise TenantFileError(f"line {number}: expected {','.join(columns)}", file=source)
        try:
            value = float(cells[at])
        except ValueError:
            raise TenantFileError(
                f"line {number}: {cells[at]!r} is not a number", file=source, field=amount
            ) from None
        problem = problem_of(value)
        if problem:
            raise TenantFileError(f"line {number}: {cells[at]!r} {problem}", file=source, field=amount)
        if currency is not None and cells[-1] != currency:
            raise TenantFileError(
                f"line {number}: currency {cells[-1]!r}, but earlier lines use {currency!r}",
                file=source,
                field="currency",
            )
        currency = cells[-1]
        yield number, cells, value


def _read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise TenantFileError(f"cannot read: {exc.strerror}", file=str(path)) from None


def rate_card_from_text(text: str, source: str = "<rates>") -> RateCard:
    """Read the CSV text of a rate card; errors name the line and field."""
    rates: dict[str, float] = {}
    lines: dict[str, int] = {}
    currency: str | None = None
    for number, (prefix, _, currency), rate in _money_rows(
        text, source, ("prefix", "rate", "currency"), "rate", rate_problem
    ):
        problem = prefix_problem(prefix, lines.get(prefix))
        if problem:
            raise TenantFileError(f"line {number}: {prefix!r} {problem}", file=source, field="prefix")
        rates[prefix] = rate
        lines[prefix] = number
    if currency is None:
        raise TenantFileError("no rates", file=source)
    return RateCard(rates, currency, source)


def read_rate_card(path: str | Path) -> RateCard:
    """Read a rate card file (`--rates FILE`)."""
    return rate_card_from_text(_read_text(path), str(path))


@dataclass(frozen=True, slots=True)
class PriceList:
    """Monthly prices of Calling Plan licences by (region, plan id), in one currency."""

    prices: dict[tuple[str, str], float]
    currency: str
    source: str = "<prices>"

    def price(self, region: str, plan_id: str) -> float | None:
        return self.prices.get((region.upper(), plan_id))


def price_list_from_text(text: str, source: str = "<prices>", catalog: PlanCatalog | None = None) -> PriceList:
    """Read a price file: `region,plan,price,currency` lines (a header line is optional);
    with `catalog`, each line must name a plan sold in its region.

    >>> price_list_from_text("region,plan,price,currency\\nFR,domestic-120,8,EUR\\n").price("fr", "domestic-120")
    8.0
    """
    prices: dict[tuple[str, str], float] = {}
    lines: dict[tuple[str, str], int] = {}
    currency: str | None = None
    columns = ("region", "plan", "price", "currency")
    for number, (region, plan, _, currency), price in _money_rows(text, source, columns, "price", price_problem):
        key = (region.upper(), plan)
        if key in lines:
            raise TenantFileError(
                f"line {number}: {region} {plan} repeats line {lines[key]}", file=source, field="plan"
            )
        unsold = plan_problem(catalog, region, plan) if catalog is not None else None
        if unsold is not None:
            raise TenantFileError(f"line {number}: {unsold[1]}", file=source, field=unsold[0])
        prices[key] = price
        lines[key] = number
    if currency is None:
        raise TenantFileError("no prices", file=source)
    return PriceList(prices, currency, source)


def read_price_list(path: str | Path, catalog: PlanCatalog | None = None) -> PriceList:
    """Read a price file (`--prices FILE`), its plans checked against `catalog` if given."""
    return price_list_from_text(_read_text(path), str(path), catalog)
