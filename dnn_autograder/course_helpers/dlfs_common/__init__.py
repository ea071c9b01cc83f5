r"""Stand-in for the ``common`` package of *Deep Learning from Scratch* (``common/functions.py``,
``common/util.py``, ``common/layers.py``, ``common/gradient.py``), registered as ``common`` and
``common.<module>``.

Only the modules a learner's graded files import are here. ``layers`` answers the imports of a
learner's ``common/multi_layer_net.py``; where the layer classes themselves are graded
(``dlfs_layers``) they are the learner's, and a handout ships ``layers.py`` only to a notebook
that imports it. The package imports none of its modules (each is registered and shipped on its
own). numpy and the stdlib only: this package is loaded inside the grading sandbox.
"""
