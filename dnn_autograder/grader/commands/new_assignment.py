"""``grade new-assignment NAME [--dir PATH]``: scaffold a new assignment folder.

Writes ``PATH/NAME/`` (``PATH`` defaults to the assignment bank, ``dnn_autograder/assignments``) with every file
an author fills in: ``__init__.py``, ``spec.toml``, ``cases.py``, ``mistakes.py``, ``properties.py`` and
``master.ipynb``, each a commented template (:mod:`.new_assignment_templates`) around one example graded
function. The starter and the case bank are generated from these (``python -m dnn_autograder.grader.handouts.release``,
``python -m dnn_autograder.grader.assignment.casebank NAME``), so they are not written here. Nothing is overwritten: an
existing folder is a usage error. ``docs/authoring.md`` walks through filling the files in.
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat

from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR
from dnn_autograder.grader.commands import new_assignment_templates as templates
from dnn_autograder.grader.errors import ExitCode

_NAME = re.compile(r"[a-z][a-z0-9_]*")
#: the example graded function the templates start from
EXAMPLE_FUNCTION = "my_function"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade new-assignment",
        description="Create the folder of a new assignment with a commented template of every file it "
        "needs; 'grade selfcheck --assignment NAME' fails until they are filled in (docs/authoring.md).")
    parser.add_argument("name", metavar="NAME", help="the assignment's name: a lower-case Python identifier")
    parser.add_argument("--dir", metavar="PATH", default=str(ASSIGNMENTS_DIR),
                        help="create PATH/NAME (default: the assignment bank)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    problem = name_problem(args.name)
    folder = Path(args.dir) / args.name
    if problem is None and folder.exists():
        problem = f"{folder} already exists; nothing was written"
    if problem is not None:
        print(f"grade new-assignment: error: {problem}", file=sys.stderr)
        return ExitCode.USAGE
    for path in scaffold(folder, args.name):
        print(path)
    print(f"next: write the answer key dnn_autograder/reference/{args.name}.py, then follow docs/authoring.md;"
          f" 'grade selfcheck --assignment {args.name}' lists what is left to do")
    return ExitCode.OK


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name an assignment (it becomes a package and a module name), or None."""
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        return f"{name!r} is not a lower-case Python identifier (letters, digits, _; e.g. 'my_topic')"
    return None


def scaffold(folder: Path, name: str) -> list[Path]:
    """Write the template files into the new ``folder``; return their paths."""
    fields = {"name": name, "title": name.replace("_", " ").capitalize(), "function": EXAMPLE_FUNCTION}
    folder.mkdir(parents=True)
    texts = {
        "__init__.py": templates.INIT,
        "spec.toml": templates.SPEC,
        "cases.py": templates.CASES,
        "mistakes.py": templates.MISTAKES,
        "properties.py": templates.PROPERTIES,
    }
    written = []
    for file_name, template in texts.items():
        path = folder / file_name
        path.write_text(template.substitute(fields), encoding="utf-8")
        written.append(path)
    path = folder / "master.ipynb"
    nbformat.write(master_notebook(fields), path)
    written.append(path)
    return written


def master_notebook(fields: dict[str, str]) -> nbformat.NotebookNode:
    """The master template: an introduction, the imports, and one exercise with its graded cell."""
    cells = [
        nbformat.v4.new_markdown_cell(templates.MASTER_INTRO.substitute(fields)),
        nbformat.v4.new_code_cell(templates.MASTER_IMPORTS),
        nbformat.v4.new_markdown_cell(templates.MASTER_EXERCISE.substitute(fields)),
        nbformat.v4.new_code_cell(templates.MASTER_FUNCTION.substitute(fields)),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["grader"] = {"assignment": fields["name"]}
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return notebook
