"""Subcommands of ``grade``: one module each, with ``main(argv) -> int`` (an ``ExitCode``).

``grade selfcheck`` (:mod:`.selfcheck`), ``grade release OUT_DIR`` (:mod:`.release`) and
``grade gradebook`` (:mod:`.gradebook`); :mod:`dnn_autograder.grader.cli` dispatches ``grade NAME ...`` to
``dnn_autograder.grader.commands.NAME.main``.
"""
