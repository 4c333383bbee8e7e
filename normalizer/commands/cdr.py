"""`dialplan cdr`: normalize a call-detail log, every row for its own caller's plan.

pyarrow is imported when the command runs, so other commands start without it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

from normalizer.commands.common import add_tenant_option, simulator_for
from normalizer.errors import DialplanInputError

if TYPE_CHECKING:
    from normalizer.billing.ledger import CallLedger
    from normalizer.bulk.billing import BillingColumns
    from normalizer.bulk.cdr_io import CdrFormat
    from normalizer.bulk.summary import CdrSummary
    from normalizer.simulation import Simulator

FORMATS = ("csv", "tsv", "jsonl", "parquet")
TEXT_TOP = 10
"""Blocked (user, reason) pairs the text summary lists per month (the JSON summary has all)."""


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "cdr",
        help="normalize a call-detail log (CSV, TSV, JSON Lines, Parquet) row by row",
        description=(
            "Normalize every dial string of a call-detail log with its caller's effective "
            "dial plan. The output keeps every input column and row, in order, and appends "
            "translated_number, final_number, matching_rule, rule_scope, call_type, "
            "destination_region, number_type and error. A summary is printed at the end."
        ),
    )
    parser.add_argument("input", metavar="INPUT", help="the call-detail file")
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT",
        help="output file, its format from its extension ('-': standard output); "
        "default: INPUT's name with .normalized before the extension",
    )
    add_tenant_option(parser)
    parser.add_argument("--dialed-column", metavar="COL", required=True, help="column of the dial strings")
    caller = parser.add_mutually_exclusive_group(required=True)
    caller.add_argument("--user-column", metavar="COL", help="column of the callers' user principal names")
    caller.add_argument("--location-column", metavar="COL", help="column of the callers' usage locations")
    caller.add_argument("--location", metavar="REGION", help="one usage location for every row")
    parser.add_argument(
        "--dial-plan-column",
        metavar="COL",
        help="with --location-column: column of tenant dial plans (empty: Global, if any)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="the input's format (default: from its extension)",
    )
    parser.add_argument(
        "--output-format",
        choices=FORMATS,
        help="the output's format (default: from -o's extension, else the input's)",
    )
    billing = parser.add_argument_group(
        "Calling Plans",
        "with --start-column and --duration-column (and --user-column), every call is "
        "replayed against its caller's Calling Plan: the output also gets billing_category, "
        "allowed, block_reason, charged_to, billed_minutes and charge, and the summary the "
        "key calling_plans (per month: pools, credits, blocked calls, recommendations)",
    )
    billing.add_argument(
        "--start-column",
        metavar="COL",
        help="column of call starts (ISO 8601, or the PSTN usage report's M/D/YYYY h:mm:ss AM; no offset: UTC)",
    )
    billing.add_argument(
        "--duration-column", metavar="COL", help="column of call durations (seconds, or hh:mm:ss)"
    )
    billing.add_argument(
        "--direction-column",
        metavar="COL",
        help="column of directions (in, inbound, user_in, ... are inbound; default: every call outbound)",
    )
    billing.add_argument(
        "--rates",
        metavar="FILE",
        help="rate card CSV (E.164 prefix, rate per minute, currency; longest prefix wins): "
        "credits in money (default: in minutes only)",
    )
    billing.add_argument(
        "--minute-rounding",
        metavar="SECONDS",
        type=rounding_seconds,
        help="bill each call per started SECONDS (1 to 3600; default: the catalog's increment_seconds, "
        "60, per started minute)",
    )
    billing.add_argument(
        "--prices",
        metavar="FILE",
        help="monthly licence prices CSV (region, plan, price, currency): the recommendations "
        "then give each plan mix's monthly cost",
    )
    billing.add_argument(
        "--report",
        metavar="FILE.html",
        help="also write the replay as one self-contained HTML page of plots (pool use with "
        "the cap, blocked calls by reason, credits balance); it opens offline",
    )
    parser.add_argument("--summary", metavar="FILE", help="also write the summary as JSON to FILE")
    parser.add_argument(
        "--processes",
        metavar="N",
        type=process_count,
        help="processes that normalize new pairs (default: 2 for inputs of about "
        "200,000 rows or more on a machine with two cores or more, else 1)",
    )
    parser.set_defaults(run=lambda args: run(parser, args))


def process_count(text: str) -> int:
    """`--processes N`: a whole number from 1 to 64."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"must be from 1 to 64, not {value}")
    return value


def rounding_seconds(text: str) -> int:
    """`--minute-rounding SECONDS`: a whole number from 1 to 3600."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds: {text!r}") from None
    if not 1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"must be from 1 to 3600 seconds, not {value}")
    return value


def default_output(source: Path) -> Path:
    """`calls.csv` -> `calls.normalized.csv`."""
    return source.with_name(f"{source.stem}.normalized{source.suffix}")


class ProgressBar:
    """Rows, rows/s and ETA on one terminal line, redrawn at most five times a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.perf_counter()
        self.drawn = 0.0

    def __call__(self, rows: int, done: int, total: int | None) -> None:
        now = time.perf_counter()
        if now - self.drawn < 0.2:
            return
        self.drawn = now
        elapsed = max(now - self.started, 1e-9)
        line = f"{rows:,} rows  {rows / elapsed:,.0f} rows/s"
        if total:
            share = min(done / total, 1.0)
            filled = int(share * 24)
            eta = elapsed * (1 - share) / share if share else 0.0
            line = f"[{'#' * filled}{'.' * (24 - filled)}] {share:4.0%}  {line}  ETA {eta:,.0f} s"
        self.stream.write(f"\r{line}\x1b[K")
        self.stream.flush()

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def describe(summary: CdrSummary) -> list[str]:
    """The summary as lines of text."""
    lines = [
        f"rows: {summary.rows:,}  errors: {summary.errors:,}  no rule matched: {summary.unmatched:,}",
        (
            f"throughput: {summary.rows_per_second:,.0f} rows/s ({summary.seconds:.2f} s); "
            f"{summary.distinct_plans} effective plans, "
            f"{summary.distinct_pairs:,} distinct (plan, dial string) pairs"
        ),
        f"processes: {summary.processes} ({summary.processes_reason})",
        "call types:",
    ]
    lines += [f"  {name:<14}{rows:>12,}" for name, rows in summary.call_types.items()]
    lines.append("rule hits:")
    for plan, rules in summary.rule_hits.items():
        if any(rules.values()):
            lines.append(f"  {plan}")
            lines += [f"    {rule:<32}{rows:>12,}" for rule, rows in rules.items() if rows]
    unused = summary.unused_rules
    if unused:
        lines.append("rules that never fired:")
        lines += [f"  {plan}: {', '.join(rules)}" for plan, rules in unused.items()]
    if summary.top_unmatched:
        lines.append("most frequent dial strings that matched no rule:")
        lines += [f"  {dialed!r:<24}{rows:>12,}" for dialed, rows in summary.top_unmatched]
    if summary.top_errors:
        lines.append("errors:")
        lines += [f"  {rows:>10,}  {error}" for error, rows in summary.top_errors]
    return lines


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    import pyarrow as pa

    from normalizer.bulk.batch import CdrColumns
    from normalizer.bulk.cdr_io import CdrFormat, detect_format, without_pandas
    from normalizer.bulk.job import normalize_file
    from normalizer.bulk.staging import StagedFile
    from normalizer.bulk.store import BILLING_COLUMNS

    try:
        # jemalloc gives freed chunk memory back sooner than the default pool:
        # about 70 MB less peak resident memory on a 1 M-row file (bench/).
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:
        pass
    if args.dial_plan_column and not args.location_column:
        raise DialplanInputError("--dial-plan-column needs --location-column")
    billing = _billing_columns(args)
    source = Path(args.input)
    source_format = detect_format(source, args.format)
    to_stdout = args.output == "-"
    target = None if to_stdout else Path(args.output) if args.output else default_output(source)
    if target is not None and target.resolve() == source.resolve():
        raise DialplanInputError("the output would overwrite the input", file=str(source))
    earlier: list[tuple[str, Path | None]] = [("input", source), ("output", target)]
    for name, option in (("summary", args.summary), ("report", args.report)):
        if option:
            written = Path(option).resolve()
            for what, path in earlier:
                if path is not None and written == path.resolve():
                    raise DialplanInputError(f"the {name} would overwrite the {what}", file=option)
            earlier.append((name, Path(option)))
    if args.output_format:
        sink_format = detect_format(source, args.output_format)
    elif target is not None and args.output and target.suffix:
        sink_format = detect_format(target, option="--output-format")
    else:
        sink_format = source_format
    columns = CdrColumns(
        dialed=args.dialed_column,
        user=args.user_column,
        location=args.location_column,
        dial_plan=args.dial_plan_column,
        region=args.location,
        # Checked on the input's own columns before any work, as the columns above are.
        also_read=() if billing is None else tuple(
            name for name in (billing.start, billing.duration, billing.direction) if name
        ),
        also_appended=() if billing is None else BILLING_COLUMNS,
    )
    simulator = simulator_for(args)
    if args.location:
        # One region for every row: a wrong one is the command's mistake, not each row's.
        simulator.effective(usage_location=args.location)
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    # Every file goes to a temporary file next to its target and is renamed into
    # place when the job has finished: a stopped job leaves no plausible partial file.
    staged: list[StagedFile] = []
    try:
        with ExitStack() as stack:
            summary_file: TextIO | None = None
            if args.summary:
                # Created before the work, so a wrong path fails at once rather than after the job.
                staged.append(summary_stage := StagedFile(Path(args.summary)))
                summary_file = stack.enter_context(open(summary_stage.temporary, "w", encoding="utf-8"))
            report_page: Path | None = None
            if args.report:
                # Likewise: a report that cannot be written would otherwise cost the whole job.
                staged.append(report_stage := StagedFile(Path(args.report)))
                report_page = report_stage.temporary
            sink: IO[bytes] | Path
            if target is None:
                sink = sys.stdout.buffer
            else:
                staged.insert(0, output_stage := StagedFile(target))
                if sink_format is CdrFormat.PARQUET:
                    sink = output_stage.temporary
                else:
                    sink = stack.enter_context(output_stage.open_binary())
            ledger = None
            try:
                with without_pandas():
                    # The run's fixed parts; the billing pass picks the sink and an appender.
                    normalize = partial(
                        normalize_file,
                        source,
                        simulator=simulator,
                        columns=columns,
                        source_format=source_format,
                        progress=bar,
                        processes=args.processes,
                    )
                    if billing is None:
                        summary = normalize(sink, sink_format=sink_format)
                    else:
                        summary, ledger = _normalize_and_bill(
                            args, normalize, simulator, sink, sink_format, billing, report_page
                        )
            finally:
                if bar is not None:
                    bar.finish()
            data = summary.to_dict()
            if ledger is not None:
                data["calling_plans"] = ledger.summary()
            if summary_file is not None:
                json.dump(data, summary_file, indent=2, ensure_ascii=False)
                summary_file.write("\n")
        # The files are closed: the output first, then the summary that describes it.
        for stage in staged:
            stage.commit()
    except BaseException:
        for stage in staged:
            stage.discard()
        raise
    report = sys.stderr if to_stdout else sys.stdout
    print("\n".join(describe(summary)), file=report)
    if "calling_plans" in data:
        print("\n".join(describe_calling_plans(data["calling_plans"])), file=report)
    if target is not None:
        print(f"output: {target}", file=report)
    return 0


def _billing_columns(args: argparse.Namespace) -> BillingColumns | None:
    """The Calling Plan options, checked together (None: no Calling Plan pass)."""
    given = [args.start_column, args.duration_column, args.direction_column, args.rates, args.report, args.prices,
             args.minute_rounding]
    if not any(given):
        return None  # before the import: a run without the replay starts without its modules
    from normalizer.bulk.billing import BillingColumns

    if args.report:
        from normalizer.billing.report_html import check_plotting

        check_plotting()  # before the job, not after it
    if not args.start_column or not args.duration_column:
        raise DialplanInputError(
            "the Calling Plan replay needs --start-column and --duration-column", field="start_column"
        )
    if not args.user_column:
        raise DialplanInputError(
            "the Calling Plan replay needs --user-column: licences belong to users", field="user_column"
        )
    return BillingColumns(
        args.user_column, args.start_column, args.duration_column, args.direction_column, file=args.input
    )


def _normalize_and_bill(
    args: argparse.Namespace,
    normalize: Callable[..., CdrSummary],
    simulator: Simulator,
    sink: IO[bytes] | Path,
    sink_format: CdrFormat,
    billing: BillingColumns,
    report_page: Path | None = None,
) -> tuple[CdrSummary, CallLedger]:
    """Replay the calls as they are normalized when the log is in time order (one pass);
    otherwise normalize into a temporary Parquet file, then replay and write the output
    (and the report's page to `report_page`, the staged file of `--report`)."""
    import tempfile
    from dataclasses import replace

    from normalizer.billing.ledger import CallLedger
    from normalizer.billing.rates import read_price_list, read_rate_card
    from normalizer.bulk.billing import BillingErrors, OutOfOrder, StreamingBiller, bill_file
    from normalizer.bulk.cdr_io import CdrFormat

    rates = read_rate_card(args.rates) if args.rates else None
    prices = read_price_list(args.prices, simulator.billing.catalog) if args.prices else None
    keep = bool(args.report)
    started = time.perf_counter()
    rewindable = isinstance(sink, Path) or (sink is not getattr(sys.stdout, "buffer", None) and sink.seekable())
    new_ledger = partial(
        CallLedger, simulator, rates=rates, keep_calls=keep, prices=prices, increment_seconds=args.minute_rounding
    )
    summary = None
    if rewindable:
        ledger = new_ledger()
        biller = StreamingBiller(ledger, billing)
        try:
            # The report is worked out while the last chunks are written (the ledger keeps it).
            summary = normalize(sink, sink_format=sink_format, appender=biller, while_writing=ledger.summary)
            found = biller.errors
        except OutOfOrder:
            if not isinstance(sink, Path):
                sink.seek(0)
                sink.truncate()
    if summary is None:
        ledger = new_ledger()  # a fresh one: the one-pass attempt fed part of the log
        found = BillingErrors()
        with tempfile.TemporaryDirectory(prefix="dialplan-cdr-") as work:
            normalized = Path(work) / "normalized.parquet"
            summary = normalize(normalized, sink_format=CdrFormat.PARQUET)
            bill_file(normalized, sink, sink_format, ledger, billing, found)
    # Rows with a start, duration or direction that cannot be read are error rows of the run too.
    summary = found.folded_into(summary, simulator)
    if report_page is not None:
        from normalizer.billing.report_html import write_report

        write_report(ledger, report_page)
    return replace(summary, seconds=time.perf_counter() - started), ledger


def describe_calling_plans(report: dict[str, Any]) -> list[str]:
    """The `calling_plans` summary as lines of text."""
    currency = report["credits_currency"]
    lines = [f"calling plans: {report['calls']:,} calls, {report['billed_minutes']:,} billed minutes ({report['minute_rounding']})"]
    if report.get("rows_in_error"):
        lines.append(f"  {report['rows_in_error']:,} rows left out: their start, duration or direction cannot be read (error rows)")
    if report["credits_note"]:
        lines.append(f"  note: {report['credits_note']}")
    for month, entry in report["months"].items():
        lines.append(f"  {month}")
        for pool in entry["pools"]:
            used = f"{pool['minutes_used']:,}/{pool['total_minutes']:,} min"
            if pool["international_total_minutes"]:
                used += f", international {pool['international_minutes_used']:,}/{pool['international_total_minutes']:,}"
            ran_out = f", ran out {pool['ran_out_at']}" if pool["ran_out_at"] else ""
            lines.append(f"    pool {pool['pool']:<22} {pool['licences']} licences  {used}{ran_out}")
        credits = entry["credits"]
        money = f", spent {credits['spent']:,.2f} {currency}, balance {credits['balance']:,.2f}" if credits["spent"] is not None else ""
        unrated = credits.get("unrated") or {}
        missing = f", {unrated['calls']:,} unrated calls ({unrated['minutes']:,} min)" if unrated.get("calls") else ""
        lines.append(f"    credits: {credits['minutes']:,} min{money}, {credits['recharges']} recharges{missing}")
        blocked = [
            (counts["calls"], user, reason, counts["minutes"])
            for user, reasons in entry["blocked"].items()
            for reason, counts in reasons.items()
        ]
        blocked.sort(key=lambda item: (-item[0], item[1], item[2]))
        for calls, user, reason, minutes in blocked[:TEXT_TOP]:
            lines.append(f"    blocked: {user} {reason}: {calls:,} calls, {minutes:,} min")
        if len(blocked) > TEXT_TOP:
            rest = sum(item[0] for item in blocked[TEXT_TOP:])
            lines.append(f"    blocked: {rest:,} more calls of {len(blocked) - TEXT_TOP:,} more (user, reason) pairs (all in --summary)")
        advice_for = {(item[1], item[2]) for item in blocked[:TEXT_TOP]}
        for advice in entry["recommendations"]:
            if "user" in advice:
                if (advice["user"], advice["reason"]) in advice_for:
                    lines.append(f"    advice: {advice['user']}: {advice['advice']}")
            else:
                mixes = "; ".join(
                    f"{o['licences']} x {o['plan']}"
                    + (f" ({o['monthly_cost']:,.2f} {o['currency']} a month)" if o.get("monthly_cost") is not None else "")
                    for o in advice["options"]
                )
                need = f"{advice['needed_minutes']:,} min"
                if advice.get("binding") == "international":
                    # The international minutes set the licences: say so, the domestic need beside.
                    need = f"{advice['needed_international_minutes']:,} international min ({advice['needed_minutes']:,} domestic)"
                lines.append(f"    advice: pool {advice['pool']} needed {need}: {mixes}")
    return lines
