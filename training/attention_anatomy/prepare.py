"""Build the training cache from OpenKBP and phantom cases.

    PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.prepare --help

Example (OpenKBP train + val, three phantom datasets, held-out whole-body phantoms):
    PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.prepare --out .train-cache \\
        --openkbp ../shared/data/openkbp \\
        --phantom out/phantom/head-neck --phantom out/phantom/thorax --phantom out/phantom/abdomen \\
        --phantom-test out/phantom/whole
Each --phantom DIR holds case folders (CONTRACTS 5); the source id comes from each case.json.
OpenKBP `train` goes to the training split, `val` to the validation split (never trained on).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from .cache import write_case, write_index
from .grid import GridSpec
from .organs import CHANNEL_NAMES
from .sources import OPENKBP_ORGANS, load_openkbp, load_phantom, openkbp_dirs

SOURCE_DESCRIPTIONS = {
    'openkbp': 'OpenKBP challenge head & neck CTs (real, TCIA), clinical contours, partially annotated per patient',
    'head_neck': 'Phantom head & neck dataset (generated; exact ground truth for its annotated organs)',
    'thorax': 'Phantom thorax dataset (generated)',
    'abdomen': 'Phantom abdomen dataset (generated)',
}


def phantom_case_dirs(root) -> list[Path]:
    root = Path(root)
    if (root / 'case.json').exists():
        return [root]
    return sorted(p.parent for p in root.glob('*/case.json'))


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m attention_anatomy.prepare', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default='.train-cache', help='cache folder (replaced)')
    ap.add_argument('--openkbp', help='OpenKBP root with train/ and val/ (e.g. ../shared/data/openkbp)')
    ap.add_argument('--phantom', action='append', default=[], help='phantom dataset folder for training (repeatable)')
    ap.add_argument('--phantom-test', action='append', default=[], help='held-out phantom folder (evaluation only)')
    ap.add_argument('--limit', type=int, default=0, help='at most this many cases per source and split (smoke tests)')
    args = ap.parse_args(argv)

    spec = GridSpec()
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    entries, summary = [], {}
    t0 = time.time()

    def add(case, split):
        entries.append(write_case(out, case, split, spec))
        if split == 'train':
            s = summary.setdefault(case.source, {'cases': 0, 'annotated': set()})
            s['cases'] += 1
            s['annotated'].update(case.annotated)
        print(f'{case.id}: {split}, {case.ct.data.shape[0]} slices', flush=True)

    if args.openkbp:
        for split, dest in (('train', 'train'), ('val', 'val')):
            dirs = openkbp_dirs(args.openkbp, split)
            for d in dirs[:args.limit or None]:
                add(load_openkbp(d), dest)
    for folder in args.phantom:
        for d in phantom_case_dirs(folder)[:args.limit or None]:
            add(load_phantom(d), 'train')
    for folder in args.phantom_test:
        for d in phantom_case_dirs(folder)[:args.limit or None]:
            add(load_phantom(d), 'test')
    sources = []
    for sid, s in summary.items():
        annotated = sorted(s['annotated'])
        if sid == 'openkbp':
            annotated = [c for c in annotated if CHANNEL_NAMES[c] in OPENKBP_ORGANS]
        sources.append({'id': f'{sid}' if sid.startswith('phantom') or sid == 'openkbp' else f'phantom-{sid}',
                        'description': SOURCE_DESCRIPTIONS.get(sid, f'{sid} dataset'), 'cases': s['cases'],
                        'annotated': [CHANNEL_NAMES[c] for c in annotated]})
    write_index(out, entries, spec, sources)
    size = sum(p.stat().st_size for p in out.iterdir())
    print(f'{len(entries)} cases in {out} ({size / 1e6:.1f} MB) in {time.time() - t0:.0f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
