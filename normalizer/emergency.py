"""Emergency numbers per region: phonenumbers' short-number lists plus `rules/emergency.toml`.

Teams recognises emergency numbers from its emergency policy and per-country
lists, not from dial plan rules (learn.microsoft.com microsoftteams/
what-are-emergency-locations): US 911 and the test number 933, GB 999 and 112,
EU 112, AU 000 and 112, NZ 111.

>>> default_emergency_numbers().is_emergency("933", "US")
True
>>> default_emergency_numbers().is_emergency("7123", "FR")
False
>>> default_emergency_numbers().all_numbers("US")
('112', '911', '933')
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, cached_property
from pathlib import Path

from normalizer import countries
from normalizer.catalog import read_toml
from normalizer.data import rules_dir
from normalizer.dotnet.parsed import parse
from normalizer.errors import TenantFileError


class EmergencyNumbers:
    """Which dial strings are emergency numbers of which region."""

    def __init__(self, overrides: Path | None = None) -> None:
        self.path = overrides if overrides is not None else rules_dir() / "emergency.toml"

    @cached_property
    def added(self) -> dict[str, frozenset[str]]:
        """The override file's extra numbers, by region."""
        document = read_toml(self.path)
        added: dict[str, frozenset[str]] = {}
        for region, entry in document.items():
            numbers = entry.get("add") if isinstance(entry, dict) else None
            if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
                raise TenantFileError(f"[{region}]: 'add' must be a list of strings", file=str(self.path), field="add")
            if not isinstance(entry.get("source"), str):
                raise TenantFileError(f"[{region}]: every entry must cite its 'source'", file=str(self.path), field="source")
            added[region.upper()] = frozenset(numbers)
        return added

    def is_emergency(self, digits: str, region: str) -> bool:
        """True when `digits` (a cleaned dial string) is an emergency number of `region`."""
        if digits in self.added.get(region.upper(), ()):
            return True
        return countries.is_emergency_number(digits, region)

    def checker(self, region: str) -> Callable[[str], bool]:
        """`is_emergency` bound to one region, its lookups done once (the bulk path's form)."""
        added = self.added.get(region.upper(), frozenset())
        pattern = countries.emergency_matcher(region)
        # Emergency numbers are short: a longer dial string (most of them) is none,
        # decided by its length alone.
        longest = max((len(number) for number in added), default=0)
        source = countries.emergency_number_pattern(region) if pattern is not None else None
        if source is not None:
            longest = max(longest, parse(source).getwidth()[1])

        def is_emergency(digits: str) -> bool:
            if len(digits) > longest:
                return False
            if digits in added:
                return True
            # `countries.is_emergency_number`: a whole match of plain digits.
            return pattern is not None and digits.isascii() and digits.isdigit() and pattern(digits) is not None

        return is_emergency

    def numbers(self, region: str) -> frozenset[str]:
        """The override file's numbers of a region (phonenumbers' own are patterns)."""
        return self.added.get(region.upper(), frozenset())

    def all_numbers(self, region: str) -> tuple[str, ...]:
        """Every emergency number of a region: phonenumbers' list spelled out, plus the overrides.

        Shortest first, then in order (`('112', '911', '933')` for US).
        """
        from normalizer.dotnet import language  # automata (interegular) load only when listing

        pattern = countries.emergency_number_pattern(region)
        listed = set(language.finite_strings(pattern) if pattern else ())
        return tuple(sorted(listed | self.numbers(region), key=lambda number: (len(number), number)))


@cache
def default_emergency_numbers() -> EmergencyNumbers:
    """The emergency numbers of the shipped rule data."""
    return EmergencyNumbers()
