"""Extraction parses each cell once: a large notebook takes milliseconds, not seconds."""

from __future__ import annotations

import time

from extract_builders import code, markdown

from dnn_autograder.grader.extract import extract_file

ADAM = """\
# GRADED FUNCTION: update_parameters_with_adam_{i}

def update_parameters_with_adam_{i}(parameters, grads, v, s, t, learning_rate=0.01,
                                    beta1=0.9, beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    v_corrected, s_corrected = {{}}, {{}}
    for l in range(1, L + 1):
        v["dW" + str(l)] = beta1 * v["dW" + str(l)] + (1 - beta1) * grads["dW" + str(l)]
        v_corrected["dW" + str(l)] = v["dW" + str(l)] / (1 - beta1 ** t)
        s["dW" + str(l)] = beta2 * s["dW" + str(l)] + (1 - beta2) * grads["dW" + str(l)] ** 2
        s_corrected["dW" + str(l)] = s["dW" + str(l)] / (1 - beta2 ** t)
        parameters["W" + str(l)] -= learning_rate * v_corrected["dW" + str(l)] / (
            np.sqrt(s_corrected["dW" + str(l)]) + epsilon)
    return parameters, v, s, v_corrected, s_corrected
"""


def test_two_hundred_cell_notebook_is_fast(write_notebook):
    cells = []
    for i in range(100):
        cells.append(markdown(f"## Exercise {i}\n" + "Explanation. " * 40))
        source = ADAM.format(i=i)
        if i % 10 == 0:
            source = "%matplotlib inline\n" + source
        if i % 25 == 0:
            source = source.replace("return parameters", "return (parameters")
        test_call = f"\nupdate_parameters_with_adam_{i}_test(update_parameters_with_adam_{i})\n"
        cells.append(code(source + test_call, output="stale output\n" * 200))
    path = write_notebook(*cells)
    extract_file(path)  # warm up imports and caches
    start = time.perf_counter()
    extracted = extract_file(path)
    elapsed = time.perf_counter() - start
    assert len(extracted.functions) == 96
    assert len(extracted.broken_functions) == 4
    assert elapsed < 1.0, f"extracting 200 cells took {elapsed:.3f} s"
