"""The workbench's endpoints: tenant files read and written as text, suites parsed; nothing stored."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from normalizer import load_tenant, tenant_to_document

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
STATIC = Path(__file__).resolve().parent.parent / "api" / "static"


@pytest.mark.parametrize(
    ("name", "fmt"), [("contoso.toml", "toml"), ("contoso.ps1", "powershell"), ("contoso.json", "json")]
)
def test_read_gives_the_document_of_each_format(api_client, name: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    text = (EXAMPLES / name).read_text(encoding="utf-8-sig")
    answer = api_client.post("/v1/tenant-files/read", json={"file_name": name, "text": text})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["format"] == fmt
    plans = answer.json()["tenant"]["dial_plans"]
    assert plans == tenant_to_document(load_tenant(EXAMPLES / name))["dial_plans"]


@pytest.mark.parametrize(
    ("name", "text", "detail"),
    [
        ("x.toml", "[tenant", "not valid TOML"),
        ("x.xlsx", "", "unsupported tenant file type"),
        ("x.ps1", "while ($true) { }", "the loop ran 100,000 times"),
        ("x.json", "[{", "not valid JSON"),
    ],
)
def test_read_errors_are_answers(api_client, name: str, text: str, detail: str) -> None:  # type: ignore[no-untyped-def]
    answer = api_client.post("/v1/tenant-files/read", json={"file_name": name, "text": text})
    assert answer.status_code == 422
    assert detail in answer.json()["detail"]


def test_write_round_trips_through_read(api_client) -> None:  # type: ignore[no-untyped-def]
    document = api_client.get("/v1/tenant-files/served").json()["tenant"]
    document["dial_plans"][0]["rules"][0]["translation"] = "+3319998$1"
    for fmt, suffix in (("toml", ".toml"), ("powershell", ".ps1"), ("json", ".json")):
        written = api_client.post("/v1/tenant-files/write", json={"tenant": document, "format": fmt})
        assert written.status_code == 200
        assert written.json()["file_name"] == f"Contoso{suffix}"
        back = api_client.post(
            "/v1/tenant-files/read", json={"file_name": written.json()["file_name"], "text": written.json()["text"]}
        )
        assert back.json()["tenant"]["dial_plans"] == document["dial_plans"], fmt
    bad = api_client.post("/v1/tenant-files/write", json={"tenant": document, "format": "xlsx"})
    assert bad.status_code == 422 and bad.json()["field"] == "format"


def test_write_keeps_the_servers_ceilings(api_client) -> None:  # type: ignore[no-untyped-def]
    """A posted document's own `max_rules` cannot lift the ceiling here either (it was read without it)."""
    rules = [{"name": f"R{n}", "pattern": f"^{n}$", "translation": "+1"} for n in range(51)]
    document = {"tenant": {"max_rules": 1_000_000}, "dial_plans": [{"identity": "Big", "rules": rules}]}
    answer = api_client.post("/v1/tenant-files/write", json={"tenant": document, "format": "toml"})
    assert answer.status_code == 422, answer.json()
    assert (answer.json()["error"], answer.json()["field"]) == ("too_many_items", "dial_plans[0].rules")


def test_a_file_over_the_body_limit_is_refused() -> None:
    from fastapi.testclient import TestClient

    from api import Settings, create_app

    client = TestClient(create_app(Settings(max_body_bytes=1000)))
    answer = client.post("/v1/tenant-files/read", json={"file_name": "x.toml", "text": "#" * 2000})
    assert answer.status_code == 413


def test_suites_parse_gives_the_cases(api_client) -> None:  # type: ignore[no-untyped-def]
    text = (EXAMPLES / "contoso-tests.toml").read_text(encoding="utf-8")
    answer = api_client.post("/v1/suites/parse", json={"file_name": "contoso-tests.toml", "text": text}).json()
    assert answer["name"] == "Contoso" and len(answer["cases"]) == 19
    assert answer["cases"][0]["expect"]["translated_number"] == "+33199997123"
    wrong = api_client.post("/v1/suites/parse", json={"text": "[[cases]]\ndialed_number = 1\n"})
    assert wrong.status_code == 422 and "must be a string" in wrong.json()["detail"]


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.fields: list[str] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and not found.get("src"):
            self.inline.append("<script> without src")
        if tag == "style":
            self.inline.append("<style>")
        self.inline += [f"{tag} {name}=" for name in found if name.startswith("on") or name == "style"]
        if tag in ("input", "select", "textarea") and found.get("type") != "radio":
            self.fields.append(found.get("id") or "")
        if tag == "label" and found.get("for"):
            self.labelled.add(found["for"] or "")


@pytest.mark.parametrize("page", ["/", "/workbench"])
def test_pages_have_no_inline_script_or_style_and_label_every_field(api_client, page: str) -> None:  # type: ignore[no-untyped-def]
    # A Content-Security-Policy without 'unsafe-inline' can then protect them.
    answer = api_client.get(page)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    markup = _Markup()
    markup.feed(answer.text)
    assert markup.inline == []
    assert set(markup.fields) <= markup.labelled
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', answer.text):
        assert api_client.get(asset).status_code == 200, asset
    for script in STATIC.glob("*.js"):
        assert ".innerHTML" not in script.read_text(encoding="utf-8"), script.name
