"""Subcommands of ``grade``: one module each, with ``main(argv) -> int`` (an ``ExitCode``).

``grade selfcheck`` (:mod:`.selfcheck`), ``grade release OUT_DIR`` (:mod:`.release`) and
``grade gradebook`` (:mod:`.gradebook`); :mod:`grader.cli` dispatches ``grade NAME ...`` to
``grader.commands.NAME.main``.
"""
