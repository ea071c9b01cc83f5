"""Student ids of a class folder: the file extension is dropped, and two entries giving one id
are an error for that id (never a silent merge); hostile names are cleaned where they enter."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from dnn_autograder.grader.classes.batch import grade_batch, student_entries

ENGINE = "batch_fake_engine:FakeEngine"
GOOD = "def forward():\n    pass\n\ndef backward():\n    pass\n\ndef update():\n    pass\n"


def test_ids_drop_the_extension(tmp_path: Path) -> None:
    (tmp_path / "bob.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "carol.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "dave").mkdir()
    entries, ignored = student_entries(tmp_path)
    assert sorted(entries) == ["bob", "carol", "dave"]


def test_two_entries_with_one_id_are_an_error_for_that_id(tmp_path: Path) -> None:
    cls = tmp_path / "class"
    cls.mkdir()
    (cls / "bob.ipynb").write_text("{}", encoding="utf-8")
    (cls / "bob.py").write_text(GOOD, encoding="utf-8")
    (cls / "eve").mkdir()
    (cls / "eve" / "work.py").write_text(GOOD, encoding="utf-8")
    (cls / "eve.py").write_text(GOOD, encoding="utf-8")
    (cls / "carol.py").write_text(GOOD, encoding="utf-8")
    summary = grade_batch(cls, tmp_path / "out", jobs=1, progress=None, engine=ENGINE, reports=False)
    results = {r.student: r for r in summary.results}
    assert sorted(results) == ["bob", "carol", "eve"]
    assert results["carol"].score == 3 and results["carol"].error is None
    for student, names in (("bob", ("bob.ipynb", "bob.py")), ("eve", ("eve", "eve.py"))):
        result = results[student]
        assert result.score == 0 and result.error and all(name in result.error for name in names)
        stored = json.loads((tmp_path / "out" / student / "result.json").read_text(encoding="utf-8"))
        assert stored["error"] == result.error
    assert set(summary.clashes) == {"bob", "eve"}
    assert any("same student id" in line for line in summary.lines())


def test_hostile_names_reach_no_output_raw(tmp_path: Path) -> None:
    cls = tmp_path / "class"
    cls.mkdir()
    hostile = "mal\x1b]0;owned\x07\x1b[2J\u202eyp.py"
    (cls / hostile).write_text(GOOD, encoding="utf-8")
    summary = grade_batch(cls, tmp_path / "out", jobs=1, progress=None, engine=ENGINE, reports=False)
    (result,) = summary.results
    assert result.student == "mal\\x1b]0;owned\\x07\\x1b[2J\\u202eyp"
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file() and path.suffix in (".json", ".csv", ".xml", ".html"):
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".json":  # JSON escapes control characters itself: look at the values
                text = json.dumps(json.loads(text), ensure_ascii=False)
            assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text, path.name
    with sqlite3.connect(tmp_path / "out" / "gradebook.sqlite") as db:
        rows = " ".join(str(cell) for row in db.execute("SELECT * FROM submissions") for cell in row)
    assert "\x1b" not in rows and "\u202e" not in rows and "mal\\x1b" in rows
