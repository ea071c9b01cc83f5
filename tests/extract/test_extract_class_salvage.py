"""A file of classes with a syntax error in one class: only that class is lost, and it is named."""

from __future__ import annotations

from dnn_autograder.grader.extract.assemble import extract_source
from dnn_autograder.grader.extract.parse import defined_functions, parse_text

OPTIMIZERS = '''# coding: utf-8
import numpy as np

class SGD:
    """確率的勾配降下法"""
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= self.lr * grads[key]

class Momentum(object):
    # 모멘텀: 속도 v
    def update(self, params, grads):
        for key in params.keys(:
            params[key] -= 1

class AdaGrad():
    def update(self, params, grads):
        pass

def helper(x):
    return x
'''


def test_defined_functions_names_top_level_classes_and_not_methods():
    assert defined_functions(OPTIMIZERS) == ("SGD", "Momentum", "AdaGrad", "helper")
    assert defined_functions("class A(B, metaclass=M):\n    def f(self): pass\n") == ("A",)
    assert defined_functions("classify = 1\nclass_ = 2\n") == ()


def test_a_syntax_error_in_one_class_costs_only_that_class():
    _, chunks = parse_text(OPTIMIZERS)
    broken = [chunk for chunk in chunks if chunk.tree is None]
    assert [chunk.functions for chunk in broken] == [("Momentum",)]
    assert broken[0].error.startswith("syntax error at line 16")
    extracted = extract_source(OPTIMIZERS, "common/optimizer.py")
    kept = {name for unit in extracted.units for name in unit.names}
    assert {"SGD", "AdaGrad", "helper"} <= kept and "Momentum" not in kept
    assert set(extracted.broken_functions) == {"Momentum"}
    assert "line 16" in extracted.broken_functions["Momentum"]
