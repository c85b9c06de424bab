"""The cursor arithmetic on its own: exact positions in a stream with equal timestamps."""

import numpy as np

from journeys.services.cursor import Cursor, skip_delivered


class Part:
    def __init__(self, ts):
        self.ts_ms = np.array(ts, np.int64)

    def __len__(self):
        return len(self.ts_ms)

    def take(self, index):
        return Part(self.ts_ms[index])


def test_it_counts_the_events_delivered_at_the_last_timestamp():
    assert Cursor(100).after(np.array([100, 105, 105, 105])) == Cursor(105, 3)


def test_it_adds_to_the_skip_when_every_event_was_at_the_cursor():
    assert Cursor(100, 2).after(np.array([100, 100])) == Cursor(100, 4)


def test_it_starts_a_new_count_past_the_cursor():
    assert Cursor(100, 2).after(np.array([100, 101])) == Cursor(101, 1)


def test_it_stays_put_after_nothing():
    assert Cursor(100, 2).after(np.array([], np.int64)) == Cursor(100, 2)


def test_it_only_moves_forward():
    assert Cursor(100, 2).at_least(90) == Cursor(100, 2)
    assert Cursor(100, 2).at_least(100) == Cursor(100, 2)
    assert Cursor(100, 2).at_least(101) == Cursor(101, 0)


def test_it_skips_the_delivered_events_even_across_parts():
    parts = [Part([100, 100]), Part([100, 100, 101]), Part([102])]

    rest = [p.ts_ms.tolist() for p in skip_delivered(Cursor(100, 3), parts)]

    assert rest == [[100, 101], [102]]


def test_it_never_skips_an_event_of_a_later_millisecond():
    # Only two events remain at 100 (the journey changed): the stale count must not eat 101.
    rest = [p.ts_ms.tolist() for p in skip_delivered(Cursor(100, 5), [Part([100, 100, 101, 102])])]

    assert rest == [[101, 102]]


def test_it_resumes_a_cut_stream_exactly():
    stream = np.array([1, 2, 2, 2, 3, 3, 4, 5, 5, 5, 5, 6], np.int64)
    for cut_at in range(len(stream) + 1):
        cursor = Cursor(0).after(stream[:cut_at]) if cut_at else Cursor(1)
        tail = Part(stream[stream >= cursor.ms])

        rest = np.concatenate([p.ts_ms for p in skip_delivered(cursor, [tail])] or [np.empty(0, np.int64)])

        assert rest.tolist() == stream[cut_at:].tolist(), cut_at
