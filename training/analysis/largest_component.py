"""Mean DSC / HD95 of a checkpoint with and without "keep the largest 3D component per organ" (26-connected),
on the held-out phantoms (out/eval-cache, split test) and OpenKBP val (.train-cache). Not part of the product;
the measurement behind the README's "Keeping only the largest 3D component" sentence.

usage: PYTHONPATH=training /usr/bin/python3 training/analysis/largest_component.py CHECKPOINT.pt [OUT.json]
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from scipy import ndimage as ndi

from attention_anatomy.cache import code_lut, read_case_arrays, read_index
from attention_anatomy.evaluate import aggregate, predict_case
from attention_anatomy.export import load_checkpoint
from attention_anatomy.grid import GridSpec
from attention_anatomy.metrics import score_case

_26 = ndi.generate_binary_structure(3, 3)


def largest_component_per_organ(pred: np.ndarray) -> np.ndarray:
    out = pred.copy()
    for c in np.unique(pred):
        if c == 0:
            continue
        lab, n = ndi.label(pred == c, structure=_26)
        if n > 1:
            keep = 1 + int(np.argmax(np.bincount(lab.ravel())[1:]))
            out[(lab > 0) & (lab != keep)] = 0
    return out


torch.set_num_threads(2)
model, _ = load_checkpoint(sys.argv[1])
res = {}
for cache, split in (('out/eval-cache', 'test'), ('.train-cache', 'val')):
    index = read_index(cache)
    spec = GridSpec(**{**index['grid'], 'size': model.cfg.size})
    entries = [e for e in index['cases'] if e['split'] == split]
    organs = sorted({c for e in entries for c in e['annotated']})
    rows = {'raw': [], 'lcc': []}
    t0 = time.time()
    for e in entries:
        codes, ref = read_case_arrays(cache, e)
        hu = code_lut(e.get('codec', 'fine'))[codes]
        ref = np.where(np.isin(ref, e['annotated']), ref, 0)
        pred = predict_case(model, hu, e['spacing'], spec, torch.device('cpu'))
        rows['raw'].append(score_case(pred, ref, e['spacing'], e['annotated']))
        rows['lcc'].append(score_case(largest_component_per_organ(pred), ref, e['spacing'], e['annotated']))
    for k, per_case in rows.items():
        res[f'{split}-{k}'] = agg = aggregate(per_case, organs)  # the same means as attention_anatomy.evaluate
        print(split, k, agg['meanDsc'], agg['meanHd95Mm'], f'{time.time() - t0:.0f}s', flush=True)

Path(sys.argv[2] if len(sys.argv) > 2 else 'out/largest_component.json').write_text(json.dumps(res, indent=1))
