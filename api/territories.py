"""Territory names for the tester page's region list, from CLDR through babel.

Names are display text, not country facts: they come from the Unicode CLDR's
English territory names (maintained with every CLDR release) rather than a
table of our own. babel is imported on first use, so starting the service and
every other request pay nothing for it.

>>> territory_name("AC"), territory_name("GB")
('Ascension Island', 'United Kingdom')
>>> territory_name("ZZZ") is None
True
"""

from __future__ import annotations

from functools import cache


@cache
def _names() -> dict[str, str]:
    from babel import Locale

    return {str(code): str(name) for code, name in Locale("en").territories.items()}


def territory_name(region: str) -> str | None:
    """The English name of an ISO 3166 alpha-2 region (CLDR), or None if CLDR has none."""
    return _names().get(region.upper())
