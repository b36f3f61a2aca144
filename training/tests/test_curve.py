"""training/cpu/curve.py: the gate and the slices a learning-curve row counts (issue 21)."""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location('curve', Path(__file__).resolve().parents[1] / 'cpu' / 'curve.py')
curve = importlib.util.module_from_spec(spec)
spec.loader.exec_module(curve)


def row(totalseg, hnscc, openkbp, seen=0):
    names = list(curve.REAL_SETS.values())
    return {'sets': {names[0]: {'meanDsc': totalseg}, names[1]: {'meanDsc': hnscc}, names[2]: {'meanDsc': openkbp}},
            'slicesSeen': seen}


def test_gate_keeps_a_rise_and_rolls_back_a_fall_or_a_set_down_too_far():
    kept = row(0.786, 0.662, 0.701)
    assert curve.gate(row(0.784, 0.689, 0.695), kept)[0]          # +0.007, every set within 0.01
    assert not curve.gate(row(0.765, 0.681, 0.709), kept)[0]      # +0.002, but one set -0.021
    assert not curve.gate(row(0.780, 0.660, 0.700), kept)[0]      # the mean fell
    assert curve.gate(row(0.5, 0.5, 0.5), None) == (True, 'baseline')


def test_run_slices_counts_an_interrupted_runs_parts_but_not_a_kept_runs_own_state_again():
    kept = row(0.786, 0.662, 0.701, seen=240_776)
    # resumed from the kept run's own state (its counters say 240 776 before): only this run's slices
    resumed = {'slices': 111_440, 'seconds': 7200.1, 'before': {'slices': 240_776, 'seconds': 14400.4},
               'total': {'slices': 352_216, 'seconds': 21600.5}}
    assert curve.run_slices(resumed, kept) == {'slices': 111_440, 'seconds': 7200.1}
    # a run continued after an interruption (its first part was never counted): every part
    interrupted = {'slices': 123_104, 'seconds': 7200.1, 'before': {'slices': 117_672, 'seconds': 7200.3},
                   'total': {'slices': 240_776, 'seconds': 14400.4}}
    assert curve.run_slices(interrupted, row(0.5, 0.5, 0.5, seen=0))['slices'] == 240_776
    # a fresh run
    assert curve.run_slices({'slices': 10, 'seconds': 1.0}, kept) == {'slices': 10, 'seconds': 1.0}


def test_run_slices_knows_the_state_of_a_kept_run_that_started_fresh():
    # cpu-s8: a fresh Adam state, 34 136 slices of its own on top of 352 216 seen before; cpu-s9 resumes its state
    kept = dict(row(0.789, 0.685, 0.704, seen=386_352), slices=34_136)
    resumed = {'slices': 30_000, 'seconds': 5600.0, 'before': {'slices': 34_136, 'seconds': 5942.4},
               'total': {'slices': 64_136, 'seconds': 11542.4}}
    assert curve.run_slices(resumed, kept)['slices'] == 30_000
    # rows since then record the counters the run ended with
    assert curve.run_slices(resumed, dict(kept, counters=34_136))['slices'] == 30_000
    assert curve.run_slices(resumed, dict(kept, counters=1))['slices'] == 64_136  # not its state: every part
