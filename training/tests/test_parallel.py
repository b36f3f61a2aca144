"""parallel.ordered_map: results in task order, tasks (closures) really run in other processes."""
import os

from attention_anatomy.parallel import ordered_map


def test_ordered_map_keeps_order_and_forks():
    me = os.getpid()
    tasks = [lambda i=i: (i * i, os.getpid()) for i in range(7)]
    out = list(ordered_map(tasks, 2))
    assert [v for v, _ in out] == [i * i for i in range(7)]
    assert all(pid != me for _, pid in out)
    assert [pid for _, pid in ordered_map(tasks, 1)] == [me] * 7
