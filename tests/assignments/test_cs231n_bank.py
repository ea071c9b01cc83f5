"""What is specific to the CS231n assignments: the two template years of ``layers.py``, dropout graded by
its properties (and never a correct solution failed by them), the 2017 bank kept in step with the
cases it imports, and learners' files graded with their mistakes named."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from dnn_autograder.assignments.cs231n_layers import mistakes as layer_mistakes
from dnn_autograder.assignments.cs231n_layers import properties as keep_props
from dnn_autograder.assignments.cs231n_layers_2017 import mistakes as drop_mistakes
from dnn_autograder.assignments.cs231n_layers_2017 import properties as drop_props
from dnn_autograder.grader.assignment.casebank import generated_cases
from dnn_autograder.grader.assignment.recognise import recognise
from dnn_autograder.grader.assignment.spec import load_all, load_assignment, resolve
from dnn_autograder.grader.extract import extract_file
from dnn_autograder.grader.grading.compare import compare
from dnn_autograder.grader.grading.pipeline import grade_submission
from dnn_autograder.grader.grading.scripts import run_trusted

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cs231n"
YEARS = {
    "cs231n_layers": (keep_props, layer_mistakes.MISTAKES, lambda param: param["p"]),
    "cs231n_layers_2017": (drop_props, drop_mistakes.MISTAKES, lambda param: 1 - param["p"]),
}


def _cases(name: str, unit: str):
    spec = load_assignment(name)
    module = __import__(f"dnn_autograder.assignments.{name}.cases", fromlist=["EDGE_CASES"])
    return spec, (*module.EDGE_CASES.get(unit, ()), *generated_cases(spec)[unit])


def _namespace(spec, **replace):
    return {**{f.name: resolve(f.reference) for f in spec.functions}, **replace}


def test_the_2017_bank_holds_the_same_draws_as_the_cases_it_imports():
    """``cs231n_layers_2017/cases.py`` imports the 2018+ strategies, so its bank's digest does not see
    them change: the two banks must hold the same cases (same seed), or the 2017 bank is stale."""
    main = generated_cases(load_assignment("cs231n_layers"))
    old = generated_cases(load_assignment("cs231n_layers_2017"))
    for unit, cases in old.items():
        assert len(cases) == len(main[unit]), unit
        for a, b in zip(main[unit], cases, strict=True):
            assert a.steps == b.steps and not compare(a.args, b.args, rtol=0, atol=0), (
                f"{unit}: run python -m dnn_autograder.grader.assignment.casebank cs231n_layers_2017")


def _correct_other_draw(keep):
    """A correct inverted dropout that draws its mask with another generator (the grader must accept it)."""
    def forward(x, dropout_param):
        if dropout_param["mode"] != "train":
            return x, (dropout_param, None)
        q = keep(dropout_param)
        mask = (np.random.default_rng(7).random(x.shape) >= 1 - q) / q
        return x * mask, (dropout_param, mask)
    return forward


@pytest.mark.parametrize("name", sorted(YEARS))
def test_dropout_properties_accept_correct_draws_and_reject_every_mutant(name):
    props, mistakes, keep = YEARS[name]
    for unit, check in (("dropout_forward", props.check_dropout_forward),
                        ("dropout_backward", props.check_dropout_backward)):
        spec, cases = _cases(name, unit)
        for label, namespace in (("reference", _namespace(spec)),
                                 ("other draws", _namespace(spec, dropout_forward=_correct_other_draw(keep)))):
            for case in cases:
                assert check(case.args, run_trusted(case, namespace)) == (), (label, unit, case.label)
        for mistake in (m for m in mistakes if m.function == unit):
            namespace = _namespace(spec, **{unit: mistake.mutant})
            assert any(check(c.args, run_trusted(c, namespace)) for c in cases), mistake.id


@pytest.mark.parametrize("name", sorted(YEARS))
def test_structural_checks_never_fire_on_correct_outputs(name):
    _, mistakes, keep = YEARS[name]
    for unit in ("dropout_forward", "dropout_backward"):
        spec, cases = _cases(name, unit)
        for namespace in (_namespace(spec), _namespace(spec, dropout_forward=_correct_other_draw(keep))):
            for case in cases:
                outputs = run_trusted(case, namespace)
                fired = [m.id for m in mistakes if m.function == unit and m.structural
                         and m.structural(case.args, outputs, {})]
                assert not fired, (case.label, fired)


@pytest.mark.parametrize(("fixture", "expected"), [
    ("layers/layers_correct.py", "cs231n_layers"),               # "We keep each neuron output ..."
    ("layers/layers_correct_2017_drop.py", "cs231n_layers_2017"),  # "We drop each neuron output ..."
    ("optim/optim_correct.py", "cs231n_optim"),
])
def test_the_template_year_is_recognised_from_the_file(fixture, expected):
    file = extract_file(FIXTURES / fixture)
    source = "\n".join(u.source for u in file.units)
    assert recognise(set(file.functions), load_all(), file.hints, source) == (expected,)


def test_a_layers_file_without_the_docstring_is_the_default_2018_contract(tmp_path):
    text = (FIXTURES / "layers/layers_correct_2017_drop.py").read_text()
    path = tmp_path / "layers.py"
    path.write_text(text.replace("We drop each neuron output with probability p.", "dropout parameter"))
    file = extract_file(path)
    source = "\n".join(u.source for u in file.units)
    assert recognise(set(file.functions), load_all(), file.hints, source) == ("cs231n_layers",)


#: fixture -> (assignment, {unit: (status, diagnosis or "")}) for every unit that does not pass
GRADED = {
    "optim/optim_correct.py": ("cs231n_optim", {}),
    "optim/optim_correct_updates_w_in_place.py": ("cs231n_optim", {}),
    "optim/optim_correct_adam_folded_step_size.py": ("cs231n_optim", {}),  # an accepted variant
    "optim/optim_adam_t_after_use.py": ("cs231n_optim", {"adam": ("failed", "cs231n-adam-t-incremented-after-use")}),
    "optim/optim_adam_eps_inside_sqrt.py": ("cs231n_optim", {"adam": ("failed", "cs231n-adam-eps-inside-sqrt")}),
    "optim/optim_adam_lr_overwritten.py": (
        "cs231n_optim", {"adam": ("failed", "cs231n-adam-learning-rate-overwritten")}),
    "optim/optim_momentum_nesterov.py": ("cs231n_optim", {"sgd_momentum": ("failed", "cs231n-momentum-nesterov")}),
    "optim/optim_rmsprop_old_cache.py": ("cs231n_optim", {"rmsprop": ("failed", "cs231n-rmsprop-old-cache")}),
    "layers/layers_correct.py": ("cs231n_layers", {}),
    "layers/layers_correct_binomial_mask.py": ("cs231n_layers", {}),
    "layers/layers_correct_2017_drop.py": ("cs231n_layers_2017", {}),
    "layers/layers_2017_dropout_p_as_keep.py": (
        "cs231n_layers_2017", {"dropout_forward": ("failed", "cs231n-dropout-p-wrong-probability-p-drops")}),
    "layers/layers_dropout_p_as_drop.py": (
        "cs231n_layers", {"dropout_forward": ("failed", "cs231n-dropout-p-wrong-probability")}),
    "layers/layers_dropout_no_rescale.py": (
        "cs231n_layers", {"dropout_forward": ("failed", "cs231n-dropout-no-rescale")}),
    "layers/layers_dropout_mask_per_feature.py": (
        "cs231n_layers", {"dropout_forward": ("failed", "cs231n-dropout-mask-per-feature")}),
    "layers/layers_dropout_backward_rescaled_twice.py": (
        "cs231n_layers", {"dropout_backward": ("failed", "cs231n-dropout-backward-rescaled-twice")}),
    "layers/layers_bn_test_without_gamma_beta.py": (
        "cs231n_layers", {"batchnorm_forward": ("failed", "cs231n-batchnorm-test-without-gamma-beta")}),
    "layers/layers_bn_std_as_running_var.py": (
        "cs231n_layers", {"batchnorm_forward": ("failed", "cs231n-batchnorm-running-std")}),
    "layers/layers_bn_dgamma_keepdims.py": (
        "cs231n_layers", {"batchnorm_backward_alt": ("failed", "cs231n-batchnorm-alt-keepdims")}),
    "layers/layers_bn_backward_cache_unpacked_in_wrong_order.py": (
        "cs231n_layers", {"batchnorm_backward": ("failed", "")}),
    # the backward pass is judged against the mistaken forward, as the notebook's gradient check does
    "layers/layers_layernorm_wrong_axis.py": (
        "cs231n_layers", {"layernorm_forward": ("failed", "cs231n-layernorm-batch-axis"),
                          "layernorm_backward": ("error", "")}),
}
#: a fast subset in the default run; the whole table with -m slow
FAST = ("optim/optim_adam_t_after_use.py", "layers/layers_correct_2017_drop.py", "layers/layers_dropout_p_as_drop.py")


@pytest.mark.parametrize("fixture", [pytest.param(f, marks=() if f in FAST else pytest.mark.slow) for f in GRADED])
def test_learner_files_lose_points_where_they_are_wrong_with_the_mistake_named(sandbox, fixture):
    assignment, expected = GRADED[fixture]
    result = grade_submission(FIXTURES / fixture, sandbox=sandbox)
    (graded,) = result.assignments
    assert graded.assignment == assignment
    wrong = {f.name: (f.status, f.diagnoses) for f in graded.functions if f.status != "passed"}
    assert set(wrong) == set(expected), wrong
    for unit, (status, diagnosis) in expected.items():
        assert wrong[unit][0] == status, (unit, wrong[unit])
        assert (diagnosis in wrong[unit][1]) if diagnosis else True, (unit, wrong[unit])


def test_a_dgamma_of_shape_1_by_d_is_said_to_be_a_shape_mismatch(sandbox):
    result = grade_submission(FIXTURES / "layers/layers_bn_dgamma_keepdims.py", sandbox=sandbox)
    (alt,) = [f for a in result.assignments for f in a.functions if f.name == "batchnorm_backward_alt"]
    mismatches = alt.counterexample.mismatches if alt.counterexample else ()
    assert any(m.kind == "shape" and "(1, " in m.summary for m in mismatches), mismatches


def test_the_training_loss_picture_trains_on_a_correct_gradient_and_draws():
    from dnn_autograder.assignments.cs231n_optim import figures

    w = np.random.default_rng(0).normal(size=(3, 3))
    loss, grad = figures.loss_and_gradient(w)
    h = 1e-6
    numeric = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        up, down = w.copy(), w.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (figures.loss_and_gradient(up)[0] - figures.loss_and_gradient(down)[0]) / (2 * h)
    assert np.allclose(grad, numeric, rtol=1e-5, atol=1e-8)
    assert math.isclose(figures.loss_and_gradient(np.zeros((3, 3)))[0], math.log(3))
    reference = figures._reference_losses(load_assignment("cs231n_optim"), "adam")
    assert len(reference) == figures.STEPS + 1 and reference[-1] < 0.5 * reference[0]
    data = {"steps": figures.STEPS, "notes": [], "series": [
        {"unit": u, "label": label, "reference": list(reference), "yours": list(reference) if u != "adam" else None}
        for u, label, _ in figures.RULES]}
    block = figures.draw(data, "t")
    assert block["svg"].startswith("<svg") and len(block["table"]["rows"]) == 3


def test_the_batchnorm_picture_shows_normalised_features():
    from dnn_autograder.assignments.cs231n_layers import figures

    after = figures._reference(load_assignment("cs231n_layers"))
    assert np.allclose(after["mean"], 0.0, atol=1e-12) and np.allclose(after["std"], 1.0, atol=1e-4)
    before = figures._summary(figures._H)
    assert np.ptp(before["mean"]) > 5  # features far apart before
    block = figures.draw({"bins": figures.BINS.tolist(), "before": before, "reference": after, "yours": after,
                          "notes": []}, "t")
    assert block["svg"].startswith("<svg") and len(block["table"]["rows"]) == 6
