"""What is specific to the optimization bank (the contract every assignment keeps is in
``test_assignment_contract.py``):

* every graded function has edge cases, and the cases reach what the mistakes need (t = 1 and 2,
  equal betas, a wide epsilon range, mini-batch sizes that divide m and that do not, ...);
* ``check_mini_batches`` passes the reference and correct answers that draw differently, over
  many seeds, and rejects the stochastic mistakes;
* every structural check fires on its mistake (the mutant, and the mistake written with other
  random calls) and never on the reference or a correct variant.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from dnn_autograder.assignments.optimization import cases as bank_cases
from dnn_autograder.assignments.optimization.mistakes import MISTAKES
from dnn_autograder.assignments.optimization.properties import check_mini_batches
from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.model import Case

SPEC = load_assignment("optimization")
BY_ID = {m.id: m for m in MISTAKES}
SUITES = build_suites(SPEC)
BATCHES = SUITES["random_mini_batches"]


def cases_of(function: str) -> tuple[Case, ...]:
    return tuple(item.case for item in SUITES[function].expected)


def with_seed(case: Case, seed: int) -> dict[str, Any]:
    return {**case.args, "seed": seed}


def outputs_of(impl: Callable[..., Any], function: str, args: dict[str, Any]):
    """Normalised outputs of ``impl`` on ``args`` (through the grader's normalisation)."""
    return SUITES[function].run(impl, Case(args))


# --- mini-batch answers written differently -------------------------------------------------


def _cut(X, Y, order, size):
    X, Y = X[:, order], Y[:, order]
    m = X.shape[1]
    return [(X[:, k:k + size], Y[:, k:k + size]) for k in range(0, m, size)]


def shuffled_index_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    order = np.arange(X.shape[1])
    np.random.shuffle(order)
    return _cut(X, Y, order, mini_batch_size)


def generator_batches(X, Y, mini_batch_size=64, seed=0):
    order = np.random.default_rng(seed).permutation(X.shape[1])
    return tuple(list(pair) for pair in _cut(X, Y, order, mini_batch_size))


def unseeded_float_batches(X, Y, mini_batch_size=64, seed=0):
    order = np.random.permutation(X.shape[1])
    return [(bx, by.astype(float)) for bx, by in _cut(X, Y, order, mini_batch_size)]


def separately_shuffled_batches(X, Y, mini_batch_size=64, seed=0):
    """minibatch-unpaired-shuffle, drawn with ``np.random.shuffle`` on copies."""
    rng = np.random.default_rng(seed)
    X, Y = X.T.copy(), Y.T.copy()
    rng.shuffle(X)
    rng.shuffle(Y)
    return _cut(X.T, Y.T, np.arange(X.shape[0]), mini_batch_size)


def generator_batches_without_last(X, Y, mini_batch_size=64, seed=0):
    """minibatch-drops-last, drawn with ``default_rng``."""
    batches = generator_batches(X, Y, mini_batch_size, seed)
    return [b for b in batches if b[0].shape[1] == mini_batch_size]


def generator_batches_with_empty_last(X, Y, mini_batch_size=64, seed=0):
    """minibatch-empty-last, drawn with ``default_rng``."""
    batches = list(generator_batches(X, Y, mini_batch_size, seed))
    if X.shape[1] % mini_batch_size == 0:
        batches.append((X[:, :0], Y[:, :0]))
    return batches


CORRECT_BATCHES = {
    "reference": BATCHES.reference,
    "np.random.shuffle": shuffled_index_batches,
    "default_rng": generator_batches,
    "unseeded, float Y": unseeded_float_batches,
}
STOCHASTIC_FORMS = {
    "minibatch-no-shuffle": (BY_ID["minibatch-no-shuffle"].mutant,),
    "minibatch-unpaired-shuffle": (BY_ID["minibatch-unpaired-shuffle"].mutant,
                                   separately_shuffled_batches),
    "minibatch-drops-last": (BY_ID["minibatch-drops-last"].mutant,
                             generator_batches_without_last),
    "minibatch-empty-last": (BY_ID["minibatch-empty-last"].mutant,
                             generator_batches_with_empty_last),
}


# --- the bank's shape -----------------------------------------------------------------------


@pytest.mark.parametrize("function", SPEC.function_names)
def test_every_function_has_edge_cases(function):
    assert bank_cases.EDGE_CASES.get(function), f"no EDGE_CASES for {function}"


def test_cases_cover_what_the_mistakes_need():
    adam = cases_of("update_parameters_with_adam")
    assert {1, 2} <= {c.args["t"] for c in adam}
    assert any(c.args["beta1"] == c.args["beta2"] for c in adam)
    assert min(c.args["epsilon"] for c in adam) < 1e-6 < max(c.args["epsilon"] for c in adam)
    batches = cases_of("random_mini_batches")
    shapes = [(c.args["X"].shape[1], c.args["mini_batch_size"]) for c in batches]
    assert any(m == 1 for m, _ in shapes)
    assert any(size >= m > 1 for m, size in shapes)
    assert any(m % size == 0 and m > size for m, size in shapes)
    assert any(m % size != 0 and m > size for m, size in shapes)
    assert sum(m >= 12 for m, _ in shapes) >= 10
    assert all(c.args["Y"].shape == (1, c.args["X"].shape[1]) for c in batches)
    schedule = cases_of("schedule_lr_decay")
    assert any(c.args["epoch_num"] % c.args.get("time_interval", 1000) for c in schedule)
    dims = [len(p) for c in cases_of("initialize_velocity") for p in c.args["parameters"].values()]
    assert 1 in dims


# --- the mini-batch property check ----------------------------------------------------------

#: Representative inputs for the many-seed runs: every edge case plus generated ones with m >= 12.
SEED_CASES = [c for c in cases_of("random_mini_batches")
              if c.label.startswith("edge") or c.args["X"].shape[1] >= 12][:14]


def _violations_over_seeds(impl: Callable[..., Any], seeds: range,
                           cases: list[Case] = SEED_CASES) -> list[tuple]:
    found = []
    for case in cases:
        for seed in seeds:
            args = with_seed(case, seed)
            violations = check_mini_batches(args, outputs_of(impl, "random_mini_batches", args))
            if violations:
                found.append((case.label, seed, violations))
    return found


@pytest.mark.parametrize("name", CORRECT_BATCHES)
def test_properties_pass_correct_answers_over_200_seeds(name):
    assert _violations_over_seeds(CORRECT_BATCHES[name], range(200)) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", CORRECT_BATCHES)
def test_properties_pass_correct_answers_over_1000_seeds(name):
    assert _violations_over_seeds(CORRECT_BATCHES[name], range(200, 1200), SEED_CASES[:8]) == []


@pytest.mark.parametrize("name", CORRECT_BATCHES)
def test_properties_pass_correct_answers_on_every_case(name):
    for case in cases_of("random_mini_batches"):
        output = outputs_of(CORRECT_BATCHES[name], "random_mini_batches", dict(case.args))
        assert check_mini_batches(case.args, output) == (), case.label


@pytest.mark.parametrize("mistake_id", STOCHASTIC_FORMS)
def test_properties_reject_the_stochastic_mistakes(mistake_id):
    for impl in STOCHASTIC_FORMS[mistake_id]:
        rejected = [c.label for c in cases_of("random_mini_batches")
                    if check_mini_batches(c.args, outputs_of(impl, "random_mini_batches",
                                                             dict(c.args)))]
        assert rejected, f"{mistake_id} ({impl.__name__}) passes every case"


@pytest.mark.parametrize(("output", "words"), [
    ({"mini_batches": None}, "list of"),
    ({"mini_batches": [np.zeros((2, 12))]}, "not a pair"),
    ({"mini_batches": [(np.zeros((3, 12)), np.zeros((1, 12)))]}, "rows"),
    ({"mini_batches": [(np.zeros((2, 12)), np.zeros(12))]}, "rows"),
    ({"mini_batches": [(np.zeros((2, 12)), np.zeros((1, 11)))]}, "columns"),
    ({"mini_batches": [(np.array([["a"] * 12] * 2), np.zeros((1, 12)))]}, "numeric"),
], ids=["none", "not-pairs", "x-rows", "flat-y", "widths", "strings"])
def test_properties_report_malformed_outputs(output, words):
    X = np.arange(24, dtype=float).reshape(2, 12)
    Y = np.arange(12).reshape(1, 12)
    violations = check_mini_batches({"X": X, "Y": Y, "mini_batch_size": 64, "seed": 0}, output)
    assert violations and any(words in v for v in violations), violations


# --- structural checks ----------------------------------------------------------------------

STRUCTURAL = [m for m in MISTAKES if m.structural]
#: Pairs of mistakes whose structural evidence legitimately coincides (see mistakes.py).
SAME_EVIDENCE = {frozenset({"adam-no-bias-correction", "adam-update-uses-uncorrected-moments"})}


def _mistaken_forms(function: str) -> dict[str, tuple[Callable[..., Any], ...]]:
    forms = {m.id: (m.mutant,) for m in MISTAKES if m.function == function and m.mutant}
    if function == "random_mini_batches":
        forms.update(STOCHASTIC_FORMS)
    return forms


def _fires(mistake: Mistake, impl: Callable[..., Any], args: dict[str, Any]) -> bool:
    with np.errstate(invalid="ignore"):
        output = outputs_of(impl, mistake.function, args)
        return bool(mistake.structural(args, output, {"stand_in_calls": (), "args_after": {}}))


@pytest.mark.parametrize("mistake", STRUCTURAL, ids=lambda m: m.id)
def test_structural_check_fires_on_its_mistake_only(mistake: Mistake):
    fired = set()
    for mistake_id, forms in _mistaken_forms(mistake.function).items():
        for impl in forms:
            hits = [c for c in cases_of(mistake.function) if _fires(mistake, impl, dict(c.args))]
            if mistake_id == mistake.id:
                assert hits, f"{mistake.id} never fires on {impl.__name__}"
            if hits:
                fired.add(mistake_id)
    allowed = {mistake.id} | {i for pair in SAME_EVIDENCE if mistake.id in pair for i in pair}
    assert fired <= allowed, f"{mistake.id} also fires on {fired - allowed}"


@pytest.mark.parametrize("mistake", STRUCTURAL, ids=lambda m: m.id)
def test_structural_check_never_fires_on_a_correct_answer(mistake: Mistake):
    correct = {"reference": SUITES[mistake.function].reference}
    if mistake.function == "random_mini_batches":
        correct = CORRECT_BATCHES
    for name, impl in correct.items():
        for case in cases_of(mistake.function):
            assert not _fires(mistake, impl, dict(case.args)), (name, case.label)
    if mistake.function == "random_mini_batches":
        for name, impl in correct.items():
            for case in SEED_CASES:
                for seed in range(50):
                    assert not _fires(mistake, impl, with_seed(case, seed)), (name, seed)


def test_adam_evidence_accepts_the_older_three_tuple():
    mistake = BY_ID["adam-no-bias-correction"]
    for case in cases_of("update_parameters_with_adam"):
        parameters, v, s, _, _ = mistake.mutant(*case.args.values())
        output = {"parameters": parameters, "v": v, "s": s}
        if mistake.structural(case.args, output, {}):
            return
    pytest.fail("a 3-tuple answer without bias correction is never recognised")


@pytest.mark.parametrize("formula", [
    lambda lr0, e, d: lr0 / 1 + d * e,
    lambda lr0, e, d: lr0 / (1 + d) * e,
    lambda lr0, e, d: lr0 / (d * e) if d * e else lr0,
    lambda lr0, e, d: lr0 * (1 - d * e),
    lambda lr0, e, d: lr0 * math.exp(-d * e),
    lambda lr0, e, d: lr0 * d**e if d <= 1 else lr0 * math.exp(-d * e),
], ids=["no-parentheses", "wrong-parentheses", "no-one", "linear", "exp", "power"])
def test_decay_formula_evidence_recognises_each_formula(formula):
    mistake = BY_ID["lr-decay-wrong-formula"]

    def student(learning_rate0, epoch_num, decay_rate):
        return formula(learning_rate0, epoch_num, decay_rate)

    hits = [c for c in cases_of("update_lr") if _fires(mistake, student, dict(c.args))]
    assert hits
