"""The bulk job's ids across chunks: a string keeps its id, a key its value, as a dict would."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from normalizer.bulk import keys
from normalizer.bulk.keys import KeyIndex, Vocabulary

chunks_of_strings = st.lists(st.lists(st.none() | st.text(alphabet="+0123 #x", max_size=4), max_size=30), max_size=6)


@settings(max_examples=60, deadline=None)
@given(chunks_of_strings)
def test_a_string_keeps_the_id_it_was_first_given(chunks: list[list[str | None]]) -> None:
    vocabulary, reference = Vocabulary(), {}
    for chunk in chunks:
        ids = vocabulary.ids(pa.array(chunk, pa.string())).tolist()
        for value, got in zip(chunk, ids, strict=True):
            if value is None:
                assert got == -1
                continue
            assert got == reference.setdefault(value, len(reference))
        assert vocabulary.values.to_pylist() == list(reference)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sets(st.integers(-(2**40), 2**40), max_size=40), max_size=6), st.lists(st.integers(-(2**40), 2**40)))
def test_keys_find_the_values_they_were_added_with(batches: list[set[int]], probes: list[int]) -> None:
    index, reference = KeyIndex(), {}
    for batch in batches:
        fresh = [key for key in batch if key not in reference]
        values = [key * 3 + 1 if key >= 0 else 7 for key in fresh]
        index.add(np.array(fresh, np.int64), np.array(values, np.int64))
        reference.update(zip(fresh, values))
        asked = list(batch) + probes
        got = index.find(np.array(asked, np.int64)).tolist()
        assert got == [reference.get(key, -1) for key in asked]
    assert len(index) == len(reference)


def test_many_keys_at_once_are_found_as_few_are() -> None:
    """Past `_SORTED_LOOKUP` keys, `find` sorts them first: the same answers, in the asked order."""
    rng = np.random.default_rng(20261206)
    index, reference = KeyIndex(), {}
    for _ in range(4):
        fresh = np.setdiff1d(rng.integers(-(2**40), 2**40, 3_000), np.array(list(reference), np.int64))
        values = rng.integers(0, 1_000_000, len(fresh))
        index.add(fresh, values)
        reference.update(zip(fresh.tolist(), values.tolist()))
        known = np.array(list(reference), np.int64)
        # Known keys (some twice), unknown ones, and the extremes, shuffled.
        asked = np.concatenate([rng.choice(known, 4_000), rng.integers(-(2**41), 2**41, 1_000), [-(2**62), 2**62]])
        rng.shuffle(asked)
        assert len(asked) >= keys._SORTED_LOOKUP
        assert index.find(asked).tolist() == [reference.get(key, -1) for key in asked.tolist()]
