"""The service country dial plans: one per region, from a template plus overrides.

Every region's plan is `rules/service/template.toml` filled with the region's
facts from `countries` (IDD prefix, trunk prefix, calling code); a file
`rules/service/overrides/<REGION>.toml` corrects facts or replaces the rules
where the template is wrong, and cites its source. Loaded lazily and cached per
catalog; tests point a catalog at fixture data by passing its directory.

>>> [rule.name for rule in default_catalog().service_plan("GB").rules]
['GB Intl Dialing', 'GB Extension Rule', 'GB Long Distance']
>>> default_catalog().service_plan("XX")
Traceback (most recent call last):
...
normalizer.errors.UnknownRegionError: field 'usage_location': unknown region 'XX': not an ISO 3166 region that phonenumbers knows
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import tomli

from normalizer import countries
from normalizer.data import rules_dir
from normalizer.errors import TenantFileError
from normalizer.models import DialPlan, NormalizationRule, Scope
from normalizer.nesting import check_text


@dataclass(frozen=True, slots=True)
class PlanExample:
    """A dial string and what a service plan must make of it, carried by a rule file."""

    file: str
    region: str
    dialed_number: str
    translated_number: str
    matching_rule: str | None
    call_type: str | None = None


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML data file, naming the file in any error."""
    try:
        text = path.read_bytes().decode("utf-8")
        check_text(text, str(path))
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise TenantFileError(f"not valid TOML: {exc}", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise TenantFileError(f"not valid UTF-8: {exc.reason}", file=str(path)) from None
    except OSError as exc:
        raise TenantFileError(f"cannot read: {exc.strerror}", file=str(path)) from None


def _text(table: dict[str, Any], key: str, file: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str):
        raise TenantFileError(f"{where}: {key!r} must be a string", file=file, field=key)
    return value


def _examples(document: dict[str, Any], file: str, default_region: str | None) -> list[PlanExample]:
    examples: list[PlanExample] = []
    for index, entry in enumerate(document.get("examples", [])):
        where = f"examples[{index}]"
        region = entry.get("region", default_region)
        if not isinstance(region, str):
            raise TenantFileError(f"{where}: 'region' must be a string", file=file, field="region")
        examples.append(
            PlanExample(
                file=file,
                region=region,
                dialed_number=_text(entry, "dialed_number", file, where),
                translated_number=_text(entry, "translated_number", file, where),
                matching_rule=entry.get("matching_rule"),
                call_type=entry.get("call_type"),
            )
        )
    return examples


class ServiceCatalog:
    """Service country dial plans for every region, built on first use."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else rules_dir() / "service"
        self._plans: dict[str, DialPlan] = {}

    @cached_property
    def template(self) -> dict[str, Any]:
        """The parsed rule template."""
        return read_toml(self.directory / "template.toml")

    @cached_property
    def overrides(self) -> dict[Path, dict[str, Any]]:
        """Every override file, parsed: `<REGION>.toml`, or a family with `[match]`."""
        return {path: read_toml(path) for path in sorted((self.directory / "overrides").glob("*.toml"))}

    def override_for(self, facts: countries.RegionFacts) -> tuple[Path, dict[str, Any]] | None:
        """The override of a region: its own file, else a family matching its calling code."""
        for path, document in self.overrides.items():
            if path.stem.upper() == facts.region:
                return path, document
        for path, document in self.overrides.items():
            selector = document.get("match", {})
            if selector.get("calling_code") == facts.calling_code:
                return path, document
        return None

    def override_paths(self) -> list[Path]:
        """Every shipped override file."""
        return list(self.overrides)

    def service_plan(self, region: str) -> DialPlan:
        """The service country dial plan of a region (ISO 3166 alpha-2)."""
        facts = countries.region_facts(region)
        plan = self._plans.get(facts.region)
        if plan is None:
            plan = self._build(facts)
            self._plans[facts.region] = plan
        return plan

    def regions(self) -> tuple[str, ...]:
        """Every region with a service plan."""
        return countries.regions()

    def facts(self, region: str) -> countries.RegionFacts:
        """A region's facts after its override's corrections."""
        facts = countries.region_facts(region)
        found = self.override_for(facts)
        corrected = found[1].get("facts", {}) if found else {}
        if "national_prefix" in corrected:
            facts = replace(facts, national_prefix=corrected["national_prefix"] or None)
        if "international_prefix" in corrected:
            facts = replace(facts, international_prefix=corrected["international_prefix"])
        return facts

    def _rule_entries(self, facts: countries.RegionFacts) -> list[tuple[str, int, dict[str, Any]]]:
        """The template's rule tables after the override's replace / remove / append."""
        template = str(self.directory / "template.toml")
        entries = [(template, i, dict(entry)) for i, entry in enumerate(self.template.get("rules", []))]
        found = self.override_for(facts)
        if found is None:
            return entries
        path, override = found
        names = {entry["name"]: position for position, (_, _, entry) in enumerate(entries)}
        for index, change in enumerate(override.get("replace", [])):
            name = change.get("name")
            if name not in names:
                raise TenantFileError(
                    f"replace[{index}]: the template has no rule {name!r}", file=str(path), field="name"
                )
            _file, _, entry = entries[names[name]]
            entries[names[name]] = (str(path), index, {**entry, **change})
        removed = set(override.get("remove", []))
        unknown = removed - set(names)
        if unknown:
            raise TenantFileError(
                f"remove: the template has no rule {min(unknown)!r}", file=str(path), field="remove"
            )
        entries = [item for item in entries if item[2]["name"] not in removed]
        entries += [(str(path), i, dict(entry)) for i, entry in enumerate(override.get("append", []))]
        return entries

    def _build(self, facts: countries.RegionFacts) -> DialPlan:
        facts = self.facts(facts.region)
        idd = facts.international_prefix
        values = {
            "{region}": facts.region,
            # A plain prefix reads as Teams prints it (^00...); alternatives need a group.
            "{idd}": idd if idd.isdigit() else f"(?:{idd})",
            "{trunk}": facts.national_prefix or "",
            "{calling_code}": str(facts.calling_code),
        }

        def fill(text: str) -> str:
            for key, value in values.items():
                text = text.replace(key, value)
            return text

        rules: list[NormalizationRule] = []
        for file, index, entry in self._rule_entries(facts):
            if entry.get("requires") == "trunk" and not facts.national_prefix:
                continue
            where = f"rules[{index}]"
            rules.append(
                NormalizationRule(
                    name=fill(_text(entry, "name", file, where)),
                    description=fill(entry.get("description", "")),
                    pattern=fill(_text(entry, "pattern", file, where)),
                    translation=fill(_text(entry, "translation", file, where)),
                    is_internal_extension=bool(entry.get("is_internal_extension", False)),
                )
            )
        plan_table = self.template.get("plan", {})
        return DialPlan(
            identity=fill(plan_table.get("identity", "{region}")),
            scope=Scope.SERVICE,
            rules=tuple(rules),
            description=fill(plan_table.get("description", "")),
        )

    def examples(self) -> list[PlanExample]:
        """Every example carried by the template and the overrides."""
        found = _examples(self.template, str(self.directory / "template.toml"), None)
        for path, document in self.overrides.items():
            found.extend(_examples(document, str(path), path.stem.upper()))
        return found


@cache
def default_catalog() -> ServiceCatalog:
    """The catalog of the shipped rule data."""
    return ServiceCatalog()
