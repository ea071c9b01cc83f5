r"""Numpy-only stand-ins for the course's helper modules, importable under the course's names.

Nothing is imported here: the grading sandbox loads the modules named in
:data:`COURSE_MODULES` one by one, and each of them depends only on numpy, :mod:`math`, the
stdlib and :mod:`dnn_autograder.course_helpers.common`.
"""

#: Course module name -> module in this package that stands in for it.
COURSE_MODULES = {
    "init_utils": ".init_utils",
    "reg_utils": ".reg_utils",
    "gc_utils": ".gc_utils",
    "opt_utils": ".opt_utils",
    "opt_utils_v1a": ".opt_utils_v1a",
    # Deep Learning from Scratch: the package `common` and the modules learners import from it
    "common": ".dlfs_common",
    "common.functions": ".dlfs_common.functions",
    "common.util": ".dlfs_common.util",
    "common.layers": ".dlfs_common.layers",
    "common.gradient": ".dlfs_common.gradient",
    # not the course's: trusted steps of the report's pictures, run beside the learner's code
    "figure_helpers": ".figure_helpers",
    # not the course's either: costs of the gradient checks' cases (their "worlds") that the sandbox
    # answers stand-ins with (spec key ``observed``); no reference, nothing secret
    "gc_worlds": ".gc_worlds",
}

#: Course modules provided to a submission's imports that learners also write and hand in to be
#: graded (the book's network imports ``common.layers``, and the ``dlfs_layers`` assignment grades a
#: learner's own ``common/layers.py``; a learner's ``common/util.py`` holds their ``shuffle_dataset``,
#: graded by ``dlfs_network``): a submission's file of that name is read, not left out as a copy of
#: the course's helper.
GRADED_COURSE_MODULES = ("common.layers", "common.util")

#: Modules of :data:`COURSE_MODULES` that are not the course's but the grader's own trusted steps:
#: never observed helpers (spec key ``observed`` accepts course-provided code only).
GRADER_MODULES = ("figure_helpers",)

#: Course test modules that notebooks import; the sandbox satisfies them with harmless shells.
TEST_MODULES = ("testCases", "testCases_v2", "public_tests", "test_utils")
