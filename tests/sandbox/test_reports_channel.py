"""The parent's end of the report channel (``reports.Reports``), on a bare socket pair: a
report waiting is read, nothing waiting costs nothing, a channel closed by the child's side is
an accusation only while the child runs, and a closed end is never read again."""

from __future__ import annotations

from dnn_autograder.grader.sandbox import reports


def test_reports_are_read_in_order_and_nothing_waiting_is_nothing() -> None:
    ours, theirs = reports.pair()
    channel = reports.Reports(ours)
    try:
        assert channel.take() == []
        theirs.send(b"network\0connect to 10.0.0.1")
        theirs.send(b"tamper\0wrote to the report channel")
        assert channel.take() == [("network", "connect to 10.0.0.1"), ("tamper", "wrote to the report channel")]
        assert channel.take() == [] and not channel.closed
        theirs.send(b"file\0/etc/passwd")
        assert channel.take() == [("file", "/etc/passwd")]
    finally:
        channel.close()
        theirs.close()


def test_a_channel_closed_by_the_child_is_seen_once() -> None:
    ours, theirs = reports.pair()
    channel = reports.Reports(ours)
    theirs.send(b"file\0/etc/shadow")
    theirs.close()
    assert channel.take(lambda: True) == [("file", "/etc/shadow"), ("tamper", "closed the grader's report channel")]
    assert channel.closed and channel.take(lambda: True) == []
    channel.close()


def test_a_channel_closed_by_a_dead_child_accuses_nobody() -> None:
    ours, theirs = reports.pair()
    channel = reports.Reports(ours)
    theirs.close()
    assert channel.take(lambda: False) == [] and channel.closed
    channel.close()


def test_our_end_closed_is_not_read_again() -> None:
    ours, theirs = reports.pair()
    channel = reports.Reports(ours)
    channel.close()
    try:
        assert channel.take(False) == []
    finally:
        theirs.close()
