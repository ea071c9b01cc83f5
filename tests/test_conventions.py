"""Promises the project makes about itself, checked on the whole bank."""

from __future__ import annotations

import pytest

from dnn_autograder import reference
from dnn_autograder.grader.assignment.catalogue_index import all_mistakes, mistakes_by_function
from dnn_autograder.grader.assignment.spec import available_assignments, load_assignment
from dnn_autograder.grader.commands.selfcheck_checks import bank_problems

REQUIRED_IDS = """
init-he-xavier-scale init-he-wrong-fan init-he-missing-sqrt init-random-wrong-scale
init-weights-transposed init-bias-not-zero l2-cost-missing-half l2-cost-missing-m l2-cost-uses-l1
l2-cost-missing-layer l2-grad-wrong-factor l2-grad-on-bias l2-grad-missing-layer dropout-no-rescale
dropout-wrong-rescale dropout-inverted-mask dropout-mask-not-binary dropout-on-output-layer
dropout-backward-no-mask dropout-backward-no-rescale dropout-backward-wrong-rescale
gradcheck-one-sided gradcheck-wrong-divisor gradcheck-not-normalized gradcheck-squared-norms
gradcheck-mutates-theta gd-sign-error gd-skips-bias minibatch-no-shuffle minibatch-unpaired-shuffle
minibatch-drops-last momentum-missing-one-minus-beta momentum-update-uses-gradient
adam-no-bias-correction adam-bias-correction-wrong-step adam-second-moment-not-squared adam-betas-swapped
adam-update-uses-uncorrected-moments adam-epsilon-inside-sqrt lr-decay-wrong-formula
lr-schedule-missing-floor
""".split()

REFERENCE_NAMES = """
initialize_parameters_zeros initialize_parameters_random initialize_parameters_he initialize_parameters_xavier
compute_cost_with_regularization backward_propagation_with_regularization forward_propagation_with_dropout
backward_propagation_with_dropout forward_propagation backward_propagation gradient_check forward_propagation_n
backward_propagation_n gradient_check_n dictionary_to_vector vector_to_dictionary gradients_to_vector
update_parameters_with_gd random_mini_batches initialize_velocity update_parameters_with_momentum initialize_adam
update_parameters_with_adam update_lr schedule_lr_decay sigmoid relu compute_cost
""".split()

SPECS = [load_assignment(name) for name in available_assignments()]
FUNCTIONS = [(spec, f) for spec in SPECS for f in spec.functions]
IDS = [f"{spec.name}.{f.name}" for spec, f in FUNCTIONS]


def test_the_four_course_assignments_exist():
    assert set(available_assignments()) >= {"initialization", "regularization", "gradient_checking", "optimization"}


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_reference_exports_every_course_name(name):
    assert callable(getattr(reference, name))


def test_every_required_mistake_id_is_catalogued():
    known = {mid for spec in SPECS for mid in all_mistakes(spec)}
    assert not set(REQUIRED_IDS) - known


def test_mistake_ids_are_unique_and_well_formed():
    """An id means one mistake: unique within an assignment, and shared between assignments only
    as the same entry (two template years of one course importing one catalogue)."""
    meaning: dict[str, tuple[str, str, str]] = {}
    for spec in SPECS:
        ids = [m.id for items in mistakes_by_function(spec).values() for m in items]
        assert len(ids) == len(set(ids)), spec.name
        for items in mistakes_by_function(spec).values():
            for m in items:
                entry = (m.function, m.title, m.explanation)
                assert meaning.setdefault(m.id, entry) == entry, f"{m.id} means two things"
    assert all(i == i.lower() and " " not in i for i in meaning)


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_every_assignment_is_complete(spec):
    """The self-check's own completeness rule (notebooks; per graded unit a reference with a Notes
    section, a strategy, a property check when random, a catalogued mistake): one rule, two users."""
    assert bank_problems(spec) == []
