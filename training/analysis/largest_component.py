"""Mean DSC / HD95 of a checkpoint with and without "keep the largest 3D component per organ" (26-connected),
on the held-out phantoms (out/eval-cache, split test) and OpenKBP val (.train-cache). Not part of the product;
the measurement behind the README's "Keeping only the largest 3D component" sentence.

usage: PYTHONPATH=training /usr/bin/python3 training/analysis/largest_component.py CHECKPOINT.pt [OUT.json]
"""
import sys, json, time
import numpy as np, torch
from scipy import ndimage as ndi
from attention_anatomy.cache import code_lut, read_case_arrays, read_index
from attention_anatomy.export import load_checkpoint
from attention_anatomy.evaluate import predict_case
from attention_anatomy.grid import GridSpec
from attention_anatomy.metrics import score_case
from attention_anatomy.organs import CHANNEL_NAMES
torch.set_num_threads(2)
model, _ = load_checkpoint(sys.argv[1])
res = {}
for cache, split in (('out/eval-cache', 'test'), ('.train-cache', 'val')):
    index = read_index(cache)
    spec = GridSpec(**{**index['grid'], 'size': model.cfg.size})
    rows = {'raw': [], 'lcc': []}
    t0 = time.time()
    for e in [e for e in index['cases'] if e['split'] == split]:
        codes, ref = read_case_arrays(cache, e)
        hu = code_lut(e.get('codec', 'fine'))[codes]
        ref = np.where(np.isin(ref, e['annotated']), ref, 0)
        pred = predict_case(model, hu, e['spacing'], spec, torch.device('cpu'))
        lcc = pred.copy()
        for c in np.unique(pred):
            if c == 0: continue
            lab, n = ndi.label(pred == c, structure=ndi.generate_binary_structure(3, 3))
            if n > 1:
                sizes = np.bincount(lab.ravel())[1:]
                lcc[(lab > 0) & (lab != 1 + int(np.argmax(sizes)))] = 0
        rows['raw'].append(score_case(pred, ref, e['spacing'], e['annotated']))
        rows['lcc'].append(score_case(lcc, ref, e['spacing'], e['annotated']))
    for k, pcs in rows.items():
        per = {}
        for pc in pcs:
            for c, v in pc.items(): per.setdefault(c, []).append(v)
        dsc = {CHANNEL_NAMES[c]: float(np.mean([v['dsc'] for v in vs])) for c, vs in per.items()}
        hd = {CHANNEL_NAMES[c]: float(np.mean([v['hd95Mm'] for v in vs if v['hd95Mm'] is not None] or [np.nan])) for c, vs in per.items()}
        res[f'{split}-{k}'] = {'meanDsc': float(np.mean(list(dsc.values()))), 'meanHd95': float(np.nanmean(list(hd.values()))), 'dsc': dsc, 'hd': hd}
        print(split, k, round(res[f'{split}-{k}']['meanDsc'], 4), round(res[f'{split}-{k}']['meanHd95'], 2), f'{time.time()-t0:.0f}s', flush=True)
json.dump(res, open(sys.argv[2] if len(sys.argv) > 2 else 'out/largest_component.json', 'w'), indent=1)
