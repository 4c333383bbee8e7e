"""The results of one bulk job's distinct (plan, dial string) pairs, and its rows' errors.

A `PairStore` keeps one result per distinct pair, by pair id, and turns them
into Arrow columns as they are filled; `RowErrors` keeps, per row, the first
reason the row cannot be processed.

>>> store = PairStore()
>>> first = store.reserve(np.array([(1 << 32) | 5]), pa.array(["7123"]))
>>> store.fill(first, [("+33199997123",) + (None,) * 8])
>>> store.columns()[0].to_pylist(), store.dialed(first)
([None, '+33199997123'], '7123')
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from normalizer.bulk.keys import KeyIndex, arrow_integers

OUTPUT_COLUMNS = (
    "translated_number",
    "final_number",
    "matching_rule",
    "rule_scope",
    "call_type",
    "destination_region",
    "number_type",
    "error",
)
"""The columns appended to every input row, in this order."""

BILLING_COLUMNS = ("billing_category", "allowed", "block_reason", "charged_to", "billed_minutes", "charge")
"""The columns the Calling Plan pass appends after them, in this order."""

# One result per distinct (plan, dial string): the seven result columns, the
# error, and the identity of the plan the matching rule belongs to.
PairResult = tuple[str | None, str | None, str | None, str | None, str | None, str | None, str | None, str | None, str | None]
EMPTY_RESULT: PairResult = (None,) * 9
EMPTY_APPENDED = "," * len(OUTPUT_COLUMNS)
"""The result columns of a row without results, at a CSV row's end."""
STRUCTURAL = '[,"\r\n]'
"""A CSV value holding one of these is quoted."""


def needs_quoting(values: pa.Array) -> bool:
    """True when a CSV writer would quote one of the (text) values."""
    return bool(pc.any(pc.match_substring_regex(values, STRUCTURAL)).as_py())
PLAIN_APPENDED = rf'^(?:,[^,"\r\n]*){{{len(OUTPUT_COLUMNS)}}}$'
"""Result columns at a CSV row's end, none of which is quoted."""


class PairStore:
    """Every distinct result so far, by pair id (0: the empty result of a row with an error)."""

    def __init__(self) -> None:
        self.results: list[PairResult] = [EMPTY_RESULT]
        self._keys: list[pa.Array] = []
        self._built: list[pa.Array] = [pa.array([None], pa.string())] * len(OUTPUT_COLUMNS)
        self._built_keys = pa.array([], pa.string())
        self._converted = 1
        """Results below this id are converted to arrays (`_convert`)."""
        self._unbuilt: list[list[pa.Array]] = []
        self._unappended: list[list[pa.Array]] = []
        """Converted results not yet in `_built`, nor in `_appended`."""
        self.has_errors = False
        self.index = KeyIndex()
        """Pair id by key (a plan id and a dial string id, one integer)."""
        self.unfinished: dict[int, int] = {}
        """Reserved pairs still being computed: count by first id."""
        self._appended = [pa.array([EMPTY_APPENDED], pa.string())]
        self._quoted = np.zeros(1, bool)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, pair: int) -> PairResult:
        return self.results[pair]

    def reserve(self, keys: np.ndarray, dials: pa.Array) -> int:
        """Ids for new pairs by their keys, with their dial strings; the first id."""
        first, count = len(self.results), len(keys)
        self.index.add(keys, np.arange(first, first + count, dtype=np.int64))
        self.results.extend([EMPTY_RESULT] * count)
        self._keys.append(dials)
        return first

    def fill(self, first: int, results: list[PairResult]) -> None:
        """The results of reserved pairs from id `first`."""
        self.results[first : first + len(results)] = results
        self.unfinished.pop(first, None)
        self.has_errors = self.has_errors or any(result[7] is not None for result in results)

    def expect(self, first: int, count: int) -> None:
        """Reserved pairs from id `first` whose results `fill` brings later."""
        self.unfinished[first] = count

    @property
    def filled(self) -> int:
        """Pairs below this id have their results."""
        return min(self.unfinished, default=len(self.results))

    def keys(self) -> pa.Array:
        """The dial string of every pair, pair id - 1 = position."""
        if self._keys:
            self._built_keys = pa.concat_arrays([self._built_keys, *self._keys])
            self._keys = []
        return self._built_keys

    def dialed(self, pair: int) -> str:
        """The dial string of a pair."""
        return str(self.keys()[pair - 1].as_py())

    def _convert(self) -> None:
        """The results filled since the last call as arrays, once for `_columns` and `appended`."""
        upto = self.filled
        if self._converted < upto:
            fresh = list(zip(*self.results[self._converted : upto]))[: len(OUTPUT_COLUMNS)]
            columns = [pa.array(values, pa.string()) for values in fresh]
            self._unbuilt.append(columns)
            self._unappended.append(columns)
            self._converted = upto

    def _columns(self) -> list[pa.Array]:
        self._convert()
        if self._unbuilt:
            self._built = [
                pa.concat_arrays([built, *(columns[position] for columns in self._unbuilt)])
                for position, built in enumerate(self._built)
            ]
            self._unbuilt = []
        return self._built

    def columns(self) -> list[pa.Array]:
        """The seven result columns, one value per pair."""
        return self._columns()[:7]

    def errors(self) -> pa.Array:
        return self._columns()[7]

    def appended(self) -> tuple[list[pa.Array], np.ndarray]:
        """Per pair, its results as a CSV row's end (",translated,final,...,error", a
        null as nothing), in parts to concatenate, and whether one of them would need
        quoting there. Built from the results as they are filled, apart from `columns`."""
        self._convert()
        for columns in self._unappended:
            text = pc.binary_join_element_wise("", *columns, ",", null_handling="replace", null_replacement="")
            # Eight separators and nothing else a CSV value is quoted for.
            plain = pc.match_substring_regex(text, PLAIN_APPENDED).to_numpy(zero_copy_only=False)
            self._appended.append(text)
            self._quoted = np.concatenate([self._quoted, ~plain])
        self._unappended = []
        return self._appended, self._quoted


def decoded(table: pa.Table) -> pa.Table:
    """`table` with dictionary-encoded result (and Calling Plan) columns turned into plain text."""
    appended = (*OUTPUT_COLUMNS, *BILLING_COLUMNS)
    fields = [
        pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) and f.name in appended else f
        for f in table.schema
    ]
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


class RowErrors:
    """Per row, the first reason it cannot be processed (0 = none), as codes into `messages`."""

    def __init__(self, rows: int) -> None:
        self.codes = np.zeros(rows, np.int64)
        self.messages: list[str | None] = [None]
        self._code_of: dict[str, int] = {}

    def _code(self, message: str) -> int:
        code = self._code_of.get(message)
        if code is None:
            code = self._code_of[message] = len(self.messages)
            self.messages.append(message)
        return code

    def mark(self, rows: np.ndarray, message: str) -> None:
        """Rows (a mask) that cannot be processed, unless already marked."""
        fresh = rows & (self.codes == 0)
        if fresh.any():
            self.codes[fresh] = self._code(message)

    def mark_all(self, message: str) -> None:
        self.mark(np.ones(len(self.codes), bool), message)

    def mark_by(self, indices: np.ndarray, messages: list[str | None]) -> None:
        """Row i gets `messages[indices[i]]` (None or a negative index: no error)."""
        if not any(messages):
            return
        code_of = np.array([0] + [self._code(m) if m else 0 for m in messages], np.int64)
        found = code_of[indices + 1]
        self.codes = np.where(self.codes == 0, found, self.codes)

    def column(self) -> pa.Array:
        return pa.array(self.messages, pa.string()).take(arrow_integers(self.codes))
