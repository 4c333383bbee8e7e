"""Stable ids across the chunks of one bulk job, found by Arrow and numpy kernels (no Python per value).

A `Vocabulary` gives each distinct string an id that stays the same from chunk
to chunk; a `KeyIndex` remembers a value for each integer key (a caller, a
(plan, dial string) pair) and finds the values of a chunk's keys at once.

>>> words = Vocabulary()
>>> words.ids(pa.array(["7123", "112"])).tolist(), words.ids(pa.array(["999", None, "7123"])).tolist()
([0, 1], [2, -1, 0])
>>> words.ids_and_distinct_ids(pa.array(["42", "7123", None, "42"]).dictionary_encode())[0].tolist()
[3, 0, -1, 3]
>>> index = KeyIndex()
>>> index.add(np.array([7, 3]), np.array([10, 20]))
>>> index.find(np.array([3, 5, 7])).tolist()
[20, -1, 10]
>>> arrow_integers(np.array([3, -1], np.int32)).to_pylist()
[3, -1]
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def arrow_integers(values: np.ndarray) -> pa.Array:
    """A numpy array of integers as an Arrow array over the same memory.

    `pa.array` would first look for pandas and numpy.ma objects (importing
    numpy.ma, 6 ms of a short job's start).
    """
    values = np.ascontiguousarray(values)
    kind = pa.from_numpy_dtype(values.dtype)
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


class Vocabulary:
    """Every distinct string seen so far; a string's id is its position."""

    def __init__(self) -> None:
        self.values: pa.Array = pa.array([], pa.string())

    def __len__(self) -> int:
        return len(self.values)

    def ids(self, strings: pa.Array) -> np.ndarray:
        """The id of each string (-1 for null), new strings taking the next ids in order."""
        known = len(self.values)
        # Encoding the known strings followed by the new ones keeps the known
        # strings' ids (their first occurrence comes first) and appends the rest.
        encoded = pc.dictionary_encode(pa.concat_arrays([self.values, strings.cast(pa.string())]))
        self.values = encoded.dictionary
        ids: np.ndarray = encoded.indices.slice(known).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return ids

    def ids_and_distinct_ids(self, encoded: pa.DictionaryArray) -> tuple[np.ndarray, np.ndarray]:
        """`ids` of a dictionary-encoded array, each distinct value looked up once, and
        the ids of its dictionary's values.

        The dictionary holds the values in order of first appearance, so new
        values take the same ids as `ids` of the plain array gives them.
        """
        value_ids = self.ids(encoded.dictionary)
        indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        ids = np.full(len(indices), -1, np.int64)
        present = indices >= 0
        ids[present] = value_ids[indices[present]]
        return ids, value_ids


_SORTED_LOOKUP = 1024
"""Keys looked up at once from which `KeyIndex.find` sorts them first."""


class KeyIndex:
    """A value for each integer key seen so far, kept sorted by key."""

    def __init__(self) -> None:
        self.keys = np.empty(0, np.int64)
        self.values = np.empty(0, np.int64)

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, -1 for a key never added."""
        if not len(self.keys):
            return np.full(len(keys), -1, np.int64)
        if len(keys) < _SORTED_LOOKUP:
            return self._found(keys)
        # Looked up in ascending order, the searches and reads walk the index from one end to
        # the other rather than jump about it: half the time for tens of thousands of keys.
        order = np.argsort(keys)
        found = np.empty(len(keys), np.int64)
        found[order] = self._found(keys[order])
        return found

    def _found(self, keys: np.ndarray) -> np.ndarray:
        positions = np.searchsorted(self.keys, keys)
        inside = np.minimum(positions, len(self.keys) - 1)
        found: np.ndarray = np.where(self.keys[inside] == keys, self.values[inside], -1)
        return found

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Remember new keys (none of them added before) with their values."""
        order = np.argsort(keys, kind="stable")  # new keys between the same two known ones go in order
        keys, values = keys[order], values[order]
        positions = np.searchsorted(self.keys, keys)
        self.keys = np.insert(self.keys, positions, keys)
        self.values = np.insert(self.values, positions, values)
