"""What is specific to the *Deep Learning from Scratch* assignments' banks: the book's two
Nesterov forms and Adam's two forms are accepted, no catalogued mistake is, and Dropout's
property check accepts any right mask and no catalogued mistake."""

from __future__ import annotations

import numpy as np
import pytest

from dnn_autograder.grader.assignment.spec import assignment_module, load_assignment
from dnn_autograder.grader.grading.normalise import compare_outputs
from dnn_autograder.grader.grading.suite import build_suites

OPTIMIZERS = load_assignment("dlfs_optimizers")
LAYERS = load_assignment("dlfs_layers")


@pytest.fixture(scope="module")
def optimizer_suites():
    return build_suites(OPTIMIZERS)


@pytest.fixture(scope="module")
def layer_suites():
    return build_suites(LAYERS)


def _differs(suite, impl, item) -> bool:
    return bool(compare_outputs(item.outputs, suite.run(impl, item.case), rtol=suite.spec.rtol, atol=suite.spec.atol))


@pytest.mark.parametrize("unit", ["Nesterov", "Adam"])
def test_the_other_published_form_is_accepted_where_it_differs(optimizer_suites, unit):
    suite = optimizer_suites[unit]
    (target, variant), = suite.variants.items()
    differing = [item for item in suite.expected if _differs(suite, variant, item)]
    assert differing, f"{target} never differs from the reference: the bank cannot tell the forms apart"
    for item in suite.expected:
        assert suite.accepted(item.case, suite.run(variant, item.case)) == target


def test_no_catalogued_optimizer_mistake_is_an_accepted_form(optimizer_suites):
    for mistake in assignment_module(OPTIMIZERS, "mistakes").MISTAKES:
        suite = optimizer_suites[mistake.function]
        shown = 0
        for item in suite.expected:
            try:
                got = suite.run(mistake.mutant, item.case)
            except Exception:  # noqa: BLE001 - a mutant that crashes on a case shows there
                shown += 1
                continue
            if compare_outputs(item.outputs, got, rtol=suite.spec.rtol, atol=suite.spec.atol):
                shown += 1
                assert suite.accepted(item.case, got) is None, mistake.id
        assert shown, f"{mistake.id} never shows on the bank"


class _UniformMaskDropout:
    """A right Dropout that draws its mask another way (uniform, compared with 1 - ratio)."""

    def __init__(self, dropout_ratio=0.5):
        self.ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.uniform(size=x.shape) < 1 - self.ratio
            return np.where(self.mask, x, 0.0)
        return x * (1 - self.ratio)

    def backward(self, dout):
        return np.where(self.mask, dout, 0.0)


def test_dropout_properties_accept_any_right_mask_and_no_mistake(layer_suites):
    check = assignment_module(LAYERS, "properties").check_dropout
    suite = layer_suites["Dropout"]
    for item in suite.expected:
        assert check(item.case.args, item.outputs) == ()
        assert check(item.case.args, suite.run(_UniformMaskDropout, item.case)) == ()
    for mistake in assignment_module(LAYERS, "mistakes").MISTAKES:
        if mistake.function == "Dropout":
            failing = [item for item in suite.expected if check(item.case.args, suite.run(mistake.mutant, item.case))]
            assert failing, f"{mistake.id} passes Dropout's property check on every case"


def test_batchnorm_tolerates_the_epsilons_learners_pick(layer_suites):
    """The book's 10e-7, 1e-5 and 1e-8 all pass batch norm's cases (columns of variance >= 1)."""
    suite = layer_suites["BatchNormalization"]
    reference = suite.reference
    module = __import__(reference.__module__, fromlist=["BN_EPSILON"])
    saved = module.BN_EPSILON
    try:
        for epsilon in (1e-5, 1e-7, 1e-8):
            module.BN_EPSILON = epsilon
            assert not [item for item in suite.expected if _differs(suite, reference, item)], epsilon
    finally:
        module.BN_EPSILON = saved
