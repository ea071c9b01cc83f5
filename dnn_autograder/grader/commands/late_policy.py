"""``grade late-policy POLICY.toml [--db FILE]``: check a late policy and store it in the gradebook.

The stored policy replaces the previous one and applies to every export from then on (raw score,
penalty, final score). ``--check`` only checks the file. The format and how days late are counted:
:mod:`dnn_autograder.grader.classes.late_policy`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime

from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.classes.gradebook_tables import store_policies
from dnn_autograder.grader.classes.late_policy import load_policy_file
from dnn_autograder.grader.commands.hand import add_db, run
from dnn_autograder.grader.errors import ExitCode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade late-policy", description="Store the late policy in the gradebook.")
    parser.add_argument("policy", metavar="POLICY.toml")
    add_db(parser)
    parser.add_argument("--check", action="store_true", help="only check the file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run("late-policy", build_parser(), argv, _store)


def set_policy(db: str, policy_file: str) -> list[str]:
    """Library twin: check ``policy_file`` and store it in ``db``; return the assignments it covers."""
    policies = load_policy_file(policy_file)
    with Gradebook(db) as book, book.transaction():
        store_policies(book.connection, {n: p.to_dict() for n, p in policies.items()},
                       datetime.now(UTC).isoformat(timespec="seconds"))
    return sorted(policies)


def _store(args: argparse.Namespace) -> int:
    if args.check:
        names = sorted(load_policy_file(args.policy))
        print(f"{args.policy}: a late policy for {', '.join(names) or 'no assignment'}")
        return ExitCode.OK
    names = set_policy(args.db, args.policy)
    print(f"late policy stored in {args.db} for {', '.join(names) or 'no assignment'}")
    return ExitCode.OK
