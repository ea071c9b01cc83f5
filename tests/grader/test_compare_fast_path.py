"""compare()'s quick "all close" verdict never changes a result: with it and without it (the
full ``np.isclose`` comparison, which also writes the detailed message) every pair of values
gets the same mismatches, and it only accepts what ``np.isclose`` itself accepts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dnn_autograder.grader.grading import compare as compare_module
from dnn_autograder.grader.grading.compare import Agreement, agrees, compare

SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 1e308, -1e308, 5e-324, -5e-324, 1e-300, 1.0, -1.0]
DTYPES = [np.float64, np.float32, np.int64, np.int32, np.uint8, np.bool_]
TOLERANCES = st.sampled_from([(1e-5, 1e-8), (1e-6, 1e-9), (0.0, 0.0), (0.0, 1e-3), (1e-3, 0.0), (0.5, 2.0)])
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def _floats(dtype) -> st.SearchStrategy:
    if np.dtype(dtype).kind == "b":
        return st.booleans()
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        return st.integers(int(info.min), int(info.max))
    width = 32 if dtype == np.float32 else 64
    return st.one_of(st.sampled_from(SPECIAL).map(lambda v: _cast(v, dtype)),
                     st.floats(width=width, allow_nan=True, allow_infinity=True))


def _cast(value: float, dtype) -> float:
    with np.errstate(over="ignore"):
        return np.float64(value).astype(dtype).item()


@st.composite
def pairs(draw) -> tuple[np.ndarray, np.ndarray]:
    """Two arrays of one shape: the second is the first nudged a little, a lot, replaced by a
    special value or left as it is, element by element, in any numeric dtype."""
    shape = draw(SHAPES)
    dtype_e, dtype_g = draw(st.sampled_from(DTYPES)), draw(st.sampled_from(DTYPES))
    expected = draw(hnp.arrays(dtype_e, shape, elements=_floats(dtype_e)))
    base = expected.astype(np.float64)
    with np.errstate(all="ignore"):
        nudges = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from(
            [0.0, 0.0, 0.0, 1e-12, -1e-9, 1e-7, 1e-5, 1e-3, 1.0, np.nan, np.inf])))
        got = base + nudges * np.where(np.abs(base) > 1, base, 1.0)
        specials = draw(hnp.arrays(np.bool_, shape))
        got = np.where(specials & (nudges == 1.0), draw(st.sampled_from(SPECIAL)), got)
        got = got.astype(dtype_g)
    return expected, got


def _full_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """compare() as it was before the quick verdicts: every part through np.isclose."""
    monkeypatch.setattr(compare_module, "_all_close", lambda *_: False)
    monkeypatch.setattr(compare_module, "agrees", lambda *_, **__: False)


LEAVES = st.one_of(
    hnp.arrays(np.float64, SHAPES, elements=st.floats(-10, 10)),
    st.floats(-10, 10),
    pairs().map(lambda pair: pair[0]),
    st.sampled_from(SPECIAL + [0, 1, True, False, None, "adam", "momentum"]),
    st.floats(allow_nan=True, allow_infinity=True),
)
STRUCTURES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
                            st.dictionaries(st.sampled_from(["W1", "b1", "dW1", "v", "s"]), inner, max_size=4)),
    max_leaves=8,
)


def _changed(draw, value):
    """``value`` as a student might send it back: the same, or with one part changed."""
    how = draw(st.sampled_from(["same", "same", "same", "nudge", "swap", "drop", "extra", "retype", "reshape"]))
    if isinstance(value, dict):
        out = {k: _changed(draw, v) for k, v in value.items()}
        if how == "drop" and out:
            out.pop(draw(st.sampled_from(sorted(out))))
        elif how == "extra":
            out["extra"] = 1.0
        elif how == "retype":
            return list(out.values())
        return out
    if isinstance(value, list | tuple):
        out = [_changed(draw, v) for v in value]
        if how == "drop" and out:
            out.pop()
        elif how == "extra":
            out.append(0.0)
        elif how == "retype":
            return {"0": out}
        return out if (isinstance(value, list)) != (how == "swap") else tuple(out)
    if isinstance(value, np.ndarray):
        if how == "reshape":
            return value.reshape(-1, 1) if value.ndim != 2 or value.shape[1] != 1 else value.T
        if how == "retype":
            return value.tolist()
        if how == "nudge" and value.dtype.kind in "fiu":
            with np.errstate(all="ignore"):
                return value.astype(np.float64) * (1 + draw(st.sampled_from([1e-9, 1e-6, 1e-3, -0.5])))
        if how == "swap" and value.size == 1:
            return value.reshape(-1)[0].item()
        return value.copy()
    if how == "retype":
        return draw(st.sampled_from([None, "adam", [1.0], np.zeros(2), {"W1": 0.0}, True, 3]))
    if how == "nudge" and isinstance(value, float):
        return value + draw(st.sampled_from([1e-12, 1e-7, 1e-3, 1.0]))
    if how == "swap" and isinstance(value, float | int) and not isinstance(value, bool):
        return np.array([[value]])
    return value


@st.composite
def structure_pairs(draw):
    expected = draw(STRUCTURES)
    return expected, _changed(draw, expected)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(structure_pairs(), TOLERANCES, st.booleans())
def test_nested_values_get_the_same_mismatches_as_before(monkeypatch, pair, tolerances, exact_keys) -> None:
    expected, got = pair
    rtol, atol = tolerances
    quick = compare(expected, got, rtol=rtol, atol=atol, where="out", exact_keys=exact_keys)
    with monkeypatch.context() as patch:
        _full_only(patch)
        full = compare(expected, got, rtol=rtol, atol=atol, where="out", exact_keys=exact_keys)
    assert quick == full


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs(), TOLERANCES)
def test_same_mismatches_with_and_without_the_quick_verdict(monkeypatch, pair, tolerances) -> None:
    expected, got = pair
    rtol, atol = tolerances
    quick = compare({"W": expected, "s": expected.reshape(-1)[0]}, {"W": got, "s": got.reshape(-1)[0]},
                    rtol=rtol, atol=atol)
    with monkeypatch.context() as patch:
        _full_only(patch)
        full = compare({"W": expected, "s": expected.reshape(-1)[0]}, {"W": got, "s": got.reshape(-1)[0]},
                       rtol=rtol, atol=atol)
    assert quick == full


@settings(max_examples=200, deadline=None)
@given(pairs(), TOLERANCES)
def test_the_quick_verdict_accepts_only_what_isclose_accepts(pair, tolerances) -> None:
    expected, got = pair
    rtol, atol = tolerances
    if compare_module._all_close(expected, got, rtol, atol):
        e, g = expected.astype(np.float64), got.astype(np.float64)
        assert np.all(np.isclose(g, e, rtol=rtol, atol=atol))
        assert np.all(np.isfinite(e))


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.float64, SHAPES, elements=st.floats(-1e6, 1e6)), TOLERANCES)
def test_finite_values_within_tolerance_take_the_quick_verdict(values, tolerances) -> None:
    rtol, atol = tolerances
    assert compare_module._all_close(values, values.copy(), rtol, atol)
    assert compare(values, values + 0.0, rtol=rtol, atol=atol) == ()


@pytest.mark.parametrize(("expected_shape", "got_shape"), [((3, 1), (3,)), ((3, 1), (1, 3)), ((1, 3), (3, 3)),
                                                           ((2, 3), (3, 2)), ((3,), (1, 3)), ((2, 2), (2, 2, 1)),
                                                           ((), (2,)), ((), (0,)), ((), (1, 2))])
@pytest.mark.parametrize("quick", [True, False])
def test_broadcastable_shapes_are_still_a_shape_mismatch(monkeypatch, expected_shape, got_shape, quick) -> None:
    if not quick:
        _full_only(monkeypatch)
    mismatches = compare(np.zeros(expected_shape), np.zeros(got_shape), rtol=1e-5, atol=1e-8)
    assert [m.kind for m in mismatches] == ["shape"]
    nested = compare({"W": [np.zeros(expected_shape)]}, {"W": [np.zeros(got_shape)]}, rtol=1e-5, atol=1e-8)
    assert [(m.where, m.kind) for m in nested] == [('["W"][0]', "shape")]


@pytest.mark.parametrize(("expected", "got", "summary"), [
    (np.array([1.0, np.inf]), np.array([1.0, 1e308]), "1 of 2 elements differ"),
    (np.array([1.0, 2.0]), np.array([1.0, np.nan]), "yours has NaN"),
    (np.array([np.inf, -np.inf]), np.array([np.inf, -np.inf]), None),
    (np.array([np.nan, 0.0]), np.array([np.nan, -0.0]), None),
    (np.array([1e308]), np.array([-1e308]), "1 of 1 elements differ"),
])
def test_specials_are_judged_by_the_full_comparison(expected, got, summary) -> None:
    assert not compare_module._all_close(expected, got, 1e-5, 1e-8) or summary is None and np.isfinite(expected).all()
    mismatches = compare(expected, got, rtol=1e-5, atol=1e-8)
    if summary is None:
        assert mismatches == ()
    else:
        assert len(mismatches) == 1 and summary in mismatches[0].summary


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(structure_pairs(), min_size=1, max_size=3), TOLERANCES, st.booleans(), st.booleans())
def test_named_outputs_get_the_same_mismatches_as_before(monkeypatch, pairs_, tolerances, exact_keys, drop) -> None:
    from dnn_autograder.grader.grading import normalise as normalise_module

    names = ["parameters", "v", "s"][:len(pairs_)]
    expected = {name: pair[0] for name, pair in zip(names, pairs_, strict=False)}
    got = {name: pair[1] for name, pair in zip(names, pairs_, strict=False)}
    if drop and len(names) > 1:
        del got[names[-1]]  # an output left out (beyond the accepted prefix) is not compared
    rtol, atol = tolerances
    item_names = {"parameters": ("W", "b")}
    quick = normalise_module.compare_outputs(expected, got, rtol=rtol, atol=atol, exact_keys=exact_keys,
                                             names=item_names)
    with monkeypatch.context() as patch:
        _full_only(patch)
        patch.setattr(normalise_module, "agrees", lambda *_, **__: False)
        full = normalise_module.compare_outputs(expected, got, rtol=rtol, atol=atol, exact_keys=exact_keys,
                                                names=item_names)
    assert quick == full


@pytest.mark.parametrize("exact_keys", [True, False])
def test_an_extra_key_counts_only_with_exact_keys(exact_keys) -> None:
    from dnn_autograder.grader.grading.normalise import compare_outputs

    got = {"parameters": {"W1": np.ones((2, 1)), "extra": 0.0}, "v": {"dW1": np.zeros((2, 1))}}
    expected = {"parameters": {"W1": np.ones((2, 1))}, "v": {"dW1": np.zeros((2, 1))}}
    mismatches = compare_outputs(expected, got, rtol=1e-5, atol=1e-8, exact_keys=exact_keys)
    assert [(m.where, m.kind) for m in mismatches] == ([("parameters", "extra")] if exact_keys else [])


# --- Agreement: the expected side prepared once -------------------------------------------------
#: besides the usual tolerances, negative ones (nothing is within them, not even the same numbers)
AGREEMENT_TOLERANCES = st.one_of(TOLERANCES, st.sampled_from([(-1e-3, 0.0), (0.0, -1e-9)]))


def _copy(value):
    """The same numbers bit for bit, in new objects (a student's output equal to the reference's)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_copy(v) for v in value)
    return value.copy() if isinstance(value, np.ndarray) else value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(structure_pairs(), AGREEMENT_TOLERANCES, st.booleans())
def test_an_agreement_answers_as_agrees(monkeypatch, pair, tolerances, exact_keys) -> None:
    expected, got = pair
    rtol, atol = tolerances
    agreement = Agreement(expected, exact_keys=exact_keys)
    for student in (got, _copy(expected), got):  # one agreement, many students
        answer = agreement.agrees(student, rtol=rtol, atol=atol)
        assert answer is agrees(expected, student, rtol=rtol, atol=atol, exact_keys=exact_keys)
        if answer:  # and what it accepts, the full comparison accepts
            with monkeypatch.context() as patch:
                _full_only(patch)
                assert compare(expected, student, rtol=rtol, atol=atol, exact_keys=exact_keys) == ()


@pytest.mark.parametrize(("expected", "got", "same"), [
    ({"W": np.array([1.0, np.nan])}, {"W": np.array([1.0, np.nan])}, False),  # NaN never agrees
    ({"W": np.array([0.0, 1.0])}, {"W": np.array([-0.0, 1.0])}, True),  # other bits, the same numbers
    ({"W": np.array([1.0])}, {"W": np.array([1.0]).view(np.int64)}, False),  # the same bits, another number
    ({"W": np.array([1, 2])}, {"W": np.array([1.0, 2.0])}, True),
    ({"t": 2}, {"t": np.array([[2.0]])}, True),
    ({"t": 2}, {"t": np.array([2.0, 2.0])}, False),
    ({"mode": "train", "p": None}, {"mode": "train", "p": None, "extra": 1}, True),
])
def test_an_agreement_on_chosen_values(expected, got, same) -> None:
    assert Agreement(expected).agrees(got, rtol=1e-5, atol=1e-8) is same
    assert agrees(expected, got, rtol=1e-5, atol=1e-8, exact_keys=False) is same


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["A", "cache", "v", "s"]), STRUCTURES, min_size=1, max_size=3),
       st.data(), TOLERANCES)
def test_compare_outputs_gives_the_same_mismatches_with_an_agreement(outputs, data, tolerances) -> None:
    from dnn_autograder.grader.grading.normalise import compare_outputs, outputs_agreement

    got = _changed(data.draw, outputs)
    if not isinstance(got, dict):
        got = outputs
    rtol, atol = tolerances
    agreement = outputs_agreement(outputs)
    for exact_keys in (False, True):
        assert compare_outputs(outputs, got, rtol=rtol, atol=atol, exact_keys=exact_keys, agreement=agreement) \
            == compare_outputs(outputs, got, rtol=rtol, atol=atol, exact_keys=exact_keys)
