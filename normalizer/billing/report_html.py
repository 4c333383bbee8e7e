"""The Calling Plan replay as one self-contained HTML page of plots (`dialplan cdr --report`).

Three plots, drawn with plotly (its JavaScript embedded in the page, so the
file opens offline): each pool's use through each month with its cap as a
line, blocked calls by month and reason, and the Communications Credits
balance (or, without a rate card, the credit minutes) over time. The page also
carries the month's numbers as tables.

Only this module imports plotly, and only when a report is asked for.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from normalizer.errors import DialplanInputError

if TYPE_CHECKING:
    from normalizer.billing.ledger import CallLedger

MAX_POINTS = 2000
"""Points drawn per line at most (a million calls need not be a million points)."""


def _thin(count: int) -> np.ndarray:
    """Indices of at most MAX_POINTS evenly spread points, the last always kept."""
    if count <= MAX_POINTS:
        return np.arange(count)
    return np.unique(np.append(np.linspace(0, count - 1, MAX_POINTS).astype(np.int64), count - 1))


def _times(seconds: np.ndarray) -> list[str]:
    """ISO 8601 texts (UTC) that plotly reads as dates; numpy names any second (datetime stops at year 9999)."""
    texts: list[str] = np.datetime_as_string(np.asarray(seconds, np.int64).astype("datetime64[s]"), unit="s").tolist()
    return texts


def _pool_figure(ledger: CallLedger) -> Any:
    import plotly.graph_objects as go

    figure = go.Figure()
    kept = ledger.kept
    if kept is not None:
        start, charged, minutes = kept.start, kept.charged_to, kept.minutes
        months = start.astype("datetime64[s]").astype("datetime64[M]")
        for index, pool in enumerate(ledger.replay.pools):
            licences, domestic, international = ledger.replay.pools[pool]
            mine = np.flatnonzero(charged == index)
            if not len(mine):
                continue
            # An International plan's pool has two counters, each with its own cap, and runs
            # out when either is reached: each is drawn against its own cap, never the sum.
            counters = [("", domestic, ~kept.international)]
            if international:
                counters.append((" international", international, kept.international))
            for month in np.unique(months[mine]):
                first = np.datetime64(month, "s").astype(np.int64)
                last = (np.datetime64(month, "M") + 1).astype("datetime64[s]").astype(np.int64)
                for kind, cap, counted in counters:
                    rows = mine[(months[mine] == month) & counted[mine]]
                    rows = rows[np.argsort(start[rows], kind="stable")]
                    used = np.cumsum(minutes[rows])
                    points = _thin(len(rows))
                    label = f"{pool} {month}{kind}"
                    # From 0 at the 1st, a step at each carried call.
                    figure.add_trace(
                        go.Scatter(
                            x=_times(np.concatenate([[first], start[rows][points], [last]])),
                            y=np.concatenate([[0], used[points], used[-1:] if len(used) else [0]]),
                            mode="lines",
                            line_shape="hv",
                            name=f"{label} used",
                        )
                    )
                    figure.add_trace(
                        go.Scatter(
                            x=_times(np.array([first, last])),
                            y=[cap, cap],
                            mode="lines",
                            line={"dash": "dash"},
                            name=f"{label} cap ({licences} licences)",
                        )
                    )
    figure.update_layout(
        title="Pool minutes used through the month, against the cap",
        xaxis_title="time (UTC)",
        yaxis_title="minutes",
    )
    return figure


def _blocked_figure(summary: dict[str, Any]) -> Any:
    import plotly.graph_objects as go

    months = list(summary["months"])
    reasons = sorted(
        {reason for entry in summary["months"].values() for user in entry["blocked"].values() for reason in user}
    )
    figure = go.Figure()
    for reason in reasons:
        counts = [
            sum(user.get(reason, {}).get("calls", 0) for user in summary["months"][month]["blocked"].values())
            for month in months
        ]
        figure.add_trace(go.Bar(x=months, y=counts, name=reason))
    figure.update_layout(
        title="Blocked calls by month and reason",
        barmode="stack",
        xaxis={"title": "month", "type": "category"},
        yaxis_title="calls",
    )
    return figure


def _credits_figure(ledger: CallLedger) -> Any:
    import plotly.graph_objects as go

    figure = go.Figure()
    kept = ledger.kept
    settings = ledger.replay.credits
    priced = ledger.replay.priced and settings is not None
    if kept is not None:
        rows = np.flatnonzero(kept.charged_to == -2)
        rows = rows[np.argsort(kept.start[rows], kind="stable")]
        if len(rows):
            points = _thin(len(rows))
            if priced and settings is not None:
                spent = np.cumsum(np.nan_to_num(kept.charge[rows]))
                recharges = ledger.replay._recharges(spent)
                balance = settings.balance - spent + (settings.recharge_amount or 0.0) * recharges
                figure.add_trace(
                    go.Scatter(
                        x=_times(np.concatenate([kept.start[rows][:1], kept.start[rows][points]])),
                        y=np.concatenate([[settings.balance], balance[points]]),
                        mode="lines+markers",
                        line_shape="hv",
                        name="balance",
                    )
                )
                if settings.recharge_below is not None:
                    figure.add_hline(y=settings.recharge_below, line_dash="dot", annotation_text="recharge trigger")
            else:
                used = np.cumsum(kept.minutes[rows])
                figure.add_trace(
                    go.Scatter(
                        x=_times(np.concatenate([kept.start[rows][:1], kept.start[rows][points]])),
                        y=np.concatenate([[0], used[points]]),
                        mode="lines+markers",
                        line_shape="hv",
                        name="credit minutes",
                    )
                )
    unit = settings.currency if priced and settings is not None else "minutes (no rate card)"
    title = "Communications Credits balance" if priced else "Minutes paid from Communications Credits"
    figure.update_layout(title=title, xaxis_title="time (UTC)", yaxis_title=unit)
    return figure


def _tables(summary: dict[str, Any]) -> str:
    parts: list[str] = []
    if summary["credits_note"]:
        parts.append(f"<p class='note'>{html.escape(summary['credits_note'])}</p>")
    for month, entry in summary["months"].items():
        parts.append(f"<h2>{html.escape(month)}</h2><table><tr><th>pool</th><th>minutes</th><th>licences</th><th>total minutes</th><th>minutes used</th><th>minutes available</th><th>ran out</th><th>unmet</th></tr>")
        for pool in entry["pools"]:
            # The minute pools report's columns; "minutes available" is what is left. An International
            # plan's two counters are a row each, against its own cap; the pool ran out at the first cap reached.
            unmet_abroad = pool["unmet_international_minutes"]
            counters = [("domestic", "", pool["unmet_minutes"] - unmet_abroad)]
            if pool["international_total_minutes"]:
                counters.append(("international", "international_", unmet_abroad))
            for kind, prefix, unmet in counters:
                parts.append(
                    f"<tr><td>{html.escape(pool['pool'])}</td><td>{kind}</td><td>{pool['licences']}</td>"
                    f"<td>{pool[prefix + 'total_minutes']:,}</td><td>{pool[prefix + 'minutes_used']:,}</td>"
                    f"<td>{pool[prefix + 'minutes_available']:,}</td><td>{html.escape(pool['ran_out_at'] or '')}</td><td>{unmet:,}</td></tr>"
                )
        parts.append("</table>")
        advice = [
            item["advice"] + (f" ({item['user']})" if "user" in item else f" ({item['pool']}: {_need(item)})")
            for item in entry["recommendations"]
        ]
        if advice:
            parts.append("<ul>" + "".join(f"<li>{html.escape(text)}</li>" for text in advice) + "</ul>")
    return "\n".join(parts)


def _need(advice: dict[str, Any]) -> str:
    """A pool's need and the licences that meet it, the binding need first."""
    need = f"needed {advice['needed_minutes']:,} min"
    if advice.get("binding") == "international":
        need = f"needed {advice['needed_international_minutes']:,} international min ({advice['needed_minutes']:,} domestic)"
    mixes = "; ".join(f"{option['licences']} x {option['plan']}" for option in advice["options"])
    return f"{need}: {mixes}" if mixes else need


REPORT_EXTRA = "pip install 'dialplan[report]'"


def check_plotting() -> None:
    """Raise a one-line error naming the extra when plotly (the `report` extra) is not installed."""
    try:
        import plotly  # noqa: F401
    except ImportError:
        raise DialplanInputError(
            f"needs plotly, which the 'report' extra installs: {REPORT_EXTRA}", field="report"
        ) from None


def write_report(ledger: CallLedger, path: str | Path) -> None:
    """Write the replay's report to `path` as one HTML file that needs no network."""
    summary = ledger.summary()
    figures = [_pool_figure(ledger), _blocked_figure(summary), _credits_figure(ledger)]
    plots = [
        figure.to_html(full_html=False, include_plotlyjs=(index == 0), default_width="100%")
        for index, figure in enumerate(figures)
    ]
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Calling Plan replay</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}}.note{{color:#8a6d00}}</style>
</head><body>
<h1>Calling Plan replay: {summary['calls']:,} calls, {summary['billed_minutes']:,} billed minutes</h1>
{''.join(f'<section class="plot">{plot}</section>' for plot in plots)}
{_tables(summary)}
</body></html>
"""
    try:
        Path(path).write_text(page, encoding="utf-8")
    except OSError as exc:
        raise DialplanInputError(f"cannot write: {exc.strerror}", file=str(path)) from None
