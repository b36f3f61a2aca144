"""Evaluate checkpoints: DSC and HD95 per organ on the cache's held-out cases, Table-1 style RESULTS.md.

    PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.evaluate --help

For every CT slice the 5-plane window is sampled onto the model grid (CONTRACTS 3), the network runs, and
the logits are sampled back at the CT pixel centres (bilinear, clamped; pixels outside the grid -> 0),
then attention, recalibration with the `whole` protocol (all organs) and argmax: the engine's
post-processing. Metrics (metrics.py, CONTRACTS 6) are computed in 3D on the CT grid against the
reference labels, for the organs the case annotates. Splits: `val` (OpenKBP val) and `test` (held-out
whole-body phantoms). The CT comes from the cache (uint8 codes: <= 1.5 HU error in soft tissue).
With --cleanup every case is also scored after the engine's per-organ connected-component clean-up
(cleanup.py, the rule of src/engine/cleanup.rules.json): results carry a `cleanup` entry and the markdown a
before/after table per split.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .attention import attention_from_fc4
from .cleanup import cleanup_labels
from .cache import code_lut, read_case_arrays, read_index
from .export import VARIANT_NAMES, load_checkpoint
from .grid import GridSpec
from .metrics import score_case
from .model import VARIANTS
from .organs import CHANNEL_NAMES, NUM_CHANNELS, ORGANS

DATASET_NAMES = {'val': 'OpenKBP val', 'test': 'phantom held-out (whole body)'}


def inplane_axis(n: int, spacing: float, spec: GridSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For one canonical in-plane axis: per model pixel the two CT indices, the weight, and inside-ness.
    The model grid is centred on the image centre ((n-1)/2) in both index spaces."""
    h = (spec.size - 1) / 2
    pos = (n - 1) / 2 + (np.arange(spec.size) - h) * spec.spacing / spacing
    inside = (pos >= -0.5) & (pos <= n - 0.5)
    p = np.clip(pos, 0, n - 1)
    i0 = np.floor(p).astype(int)
    return i0, np.minimum(i0 + 1, n - 1), p - i0, inside


def volume_windows(hu: torch.Tensor, spacing, spec: GridSpec) -> torch.Tensor:
    """Model inputs [K, 5, S, S] for every slice of an axis-aligned canonical CT hu [K, R, C] (float HU).
    Separable form of grid.sample_window: in-plane bilinear once per slice, then linear in z per plane."""
    K, R, C = hu.shape
    sx, sy, sz = spacing
    dev = hu.device
    i0, i1, wi, ini = (torch.as_tensor(a, device=dev) for a in inplane_axis(C, sx, spec))
    j0, j1, wj, inj = (torch.as_tensor(a, device=dev) for a in inplane_axis(R, sy, spec))
    wi, wj = wi.float(), wj.float()
    rows = hu[:, j0] * (1 - wj)[None, :, None] + hu[:, j1] * wj[None, :, None]  # [K, S, C]
    plane = rows[:, :, i0] * (1 - wi) + rows[:, :, i1] * wi  # [K, S, S]
    plane = torch.where((inj[:, None] & ini[None, :])[None], plane, torch.full_like(plane, spec.hu_min))
    x = (plane.clamp(spec.hu_min, spec.hu_max) - spec.hu_offset) / spec.hu_scale
    d = torch.arange(spec.planes, device=dev, dtype=torch.float32) - spec.planes // 2
    fk = (torch.arange(K, device=dev, dtype=torch.float32)[:, None] + d[None] * spec.slice_spacing / sz).clamp(0, K - 1)
    k0 = fk.floor().long()
    k1 = (k0 + 1).clamp(max=K - 1)
    w = (fk - k0.float())[:, :, None, None]
    return (1 - w) * x[k0] + w * x[k1]


def logits_to_ct(f: torch.Tensor, R: int, C: int, spacing, spec: GridSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """Bilinear samples of model logits f [B, 34, S, S] at the CT pixel centres -> [B, 34, R, C], and the
    mask of CT pixels inside the model grid ([-0.5, S-0.5], CONTRACTS 3)."""
    S, h = spec.size, (spec.size - 1) / 2
    dev = f.device
    u = h + (torch.arange(C, device=dev, dtype=torch.float32) - (C - 1) / 2) * spacing[0] / spec.spacing
    v = h + (torch.arange(R, device=dev, dtype=torch.float32) - (R - 1) / 2) * spacing[1] / spec.spacing
    inside = ((v >= -0.5) & (v <= S - 0.5))[:, None] & ((u >= -0.5) & (u <= S - 0.5))[None, :]
    gu = 2 * u.clamp(0, S - 1) / (S - 1) - 1
    gv = 2 * v.clamp(0, S - 1) / (S - 1) - 1
    grid = torch.stack(torch.meshgrid(gv, gu, indexing='ij')[::-1], dim=-1)[None].expand(f.shape[0], R, C, 2)
    return F.grid_sample(f, grid, mode='bilinear', align_corners=True), inside


@torch.no_grad()
def predict_case(model, hu: np.ndarray, spacing, spec: GridSpec, device, batch: int = 32,
                 protocol_mask: torch.Tensor | None = None) -> np.ndarray:
    """Label map [K, R, C] (uint8) for a canonical CT, as the engine computes it."""
    K, R, C = hu.shape
    hu_t = torch.from_numpy(hu.astype(np.float32)).to(device)
    xs = volume_windows(hu_t, spacing, spec)
    out = np.zeros((K, R, C), np.uint8)
    cuda = device.type == 'cuda'
    m = protocol_mask if protocol_mask is not None else torch.ones(NUM_CHANNELS, device=device)
    for s in range(0, K, batch):
        x = xs[s:s + batch]
        if cuda:  # float32 (TF32 convs), closer to the shipped graph than bf16
            x = x.contiguous(memory_format=torch.channels_last)
        f, z, _ = model(x)
        f, z = f.float(), z.float()
        log_a = attention_from_fc4(z)[1] if model.cfg.uses_attention else torch.zeros_like(z)
        fc, inside = logits_to_ct(f, R, C, spacing, spec)
        p = torch.softmax(fc + log_a[:, :, None, None], dim=1)
        q = p * m[None, :, None, None]
        q[:, 0] += (p[:, 1:] * (1 - m[1:])[None, :, None, None]).sum(dim=1)
        lab = q.argmax(dim=1)
        lab[:, ~inside] = 0
        out[s:s + batch] = lab.to(torch.uint8).cpu().numpy()
    return out


def aggregate(per_case: list[dict], organs: list[int]) -> dict:
    per_organ = {}
    empty = 0
    for c in organs:
        rows = [pc[c] for pc in per_case if c in pc]
        if not rows:
            continue
        hds = [r['hd95Mm'] for r in rows if r['hd95Mm'] is not None]
        empty += sum(r['hd95Mm'] is None for r in rows)
        per_organ[CHANNEL_NAMES[c]] = {'dsc': round(float(np.mean([r['dsc'] for r in rows])), 4),
                                       'hd95Mm': round(float(np.mean(hds)), 2) if hds else None, 'n': len(rows)}
    dscs = [v['dsc'] for v in per_organ.values()]
    hds = [v['hd95Mm'] for v in per_organ.values() if v['hd95Mm'] is not None]
    return {'meanDsc': round(float(np.mean(dscs)), 4) if dscs else None,
            'meanHd95Mm': round(float(np.mean(hds)), 2) if hds else None,
            'perOrgan': per_organ, 'emptyPredictions': empty}


def score_cleaned(pred, ref, spacing, annotated) -> dict:
    """score_case after the connected-component clean-up (runs in the scoring pool)."""
    return score_case(cleanup_labels(pred, spacing), ref, spacing, annotated)


def evaluate(checkpoints: list, cache: str, splits=('val', 'test'), device='auto', limit: int = 0, log=print,
             workers: int = 0, cleanup: bool = False) -> dict:
    dev = torch.device('cuda' if device == 'auto' and torch.cuda.is_available() else ('cpu' if device == 'auto' else device))
    index = read_index(cache)
    results, trained = [], {}
    models = []
    for path in checkpoints:
        model, ckpt = load_checkpoint(path)
        model = model.to(dev)
        if dev.type == 'cuda':
            model = model.to(memory_format=torch.channels_last)
        models.append(model)
        trained[model.cfg.variant] = ckpt.get('summary', {})
    # Scoring (distance transforms) runs on the CPU cores while the device predicts the next case.
    pool = ProcessPoolExecutor(max(1, min(workers or os.cpu_count() or 1, 16)), mp_context=mp.get_context('fork'))
    for split in splits:
        entries = [e for e in index['cases'] if e['split'] == split][:limit or None]
        if not entries:
            continue
        futures = {m.cfg.variant: [] for m in models}
        cleaned = {m.cfg.variant: [] for m in models}
        organs = sorted({c for e in entries for c in e['annotated']})
        t0 = time.time()
        for e in entries:
            codes, ref = read_case_arrays(cache, e)
            hu = code_lut(e.get('codec', 'fine'))[codes]
            ref_masked = np.where(np.isin(ref, e['annotated']), ref, 0)
            for model in models:
                spec_m = GridSpec(**{**index['grid'], 'size': model.cfg.size})
                pred = predict_case(model, hu, e['spacing'], spec_m, dev)
                futures[model.cfg.variant].append(pool.submit(score_case, pred, ref_masked, e['spacing'], e['annotated']))
                if cleanup:
                    cleaned[model.cfg.variant].append(pool.submit(score_cleaned, pred, ref_masked, e['spacing'], e['annotated']))
        per_case = {v: [f.result() for f in fs] for v, fs in futures.items()}
        log(f'{split}: {len(entries)} cases x {len(models)} models in {time.time() - t0:.0f} s')
        for model in models:
            agg = aggregate(per_case[model.cfg.variant], organs)
            results.append({'variant': model.cfg.variant, 'split': split,
                            'dataset': f'{DATASET_NAMES.get(split, split)} (n={len(entries)})', 'cases': len(entries),
                            **agg})
            if cleanup:
                results[-1]['cleanup'] = aggregate([f.result() for f in cleaned[model.cfg.variant]], organs)
    pool.shutdown()
    return {'results': results, 'trained': trained, 'device': str(dev)}


def _fmt(v, nd):
    return '–' if v is None else f'{v:.{nd}f}'


def results_markdown(report: dict, command: str, cache_index: dict, title: str = '') -> str:
    """Table-1 markdown. With `title`, a section (`## title`, sub-headings one level down) to append to a file."""
    h = '###' if title else '##'
    lines = ([f'## {title}', ''] if title else ['# AttentionAnatomy: evaluation results', '',
             'Generated by `attention_anatomy.evaluate`; do not edit by hand.', ''])
    lines += [f'Command: `{command}`', '']
    src = ', '.join(f"{s['id']} ({s['cases']} cases)" for s in cache_index.get('sources', []))
    lines += [f'Training data (cache `sources`): {src or "unknown"}.', '']
    if report.get('trained'):
        lines += ['| variant | steps | training time (s) | slices/s | device |', '|---|---|---|---|---|']
        for v in VARIANTS:
            t = report['trained'].get(v)
            if t:
                lines.append(f"| {VARIANT_NAMES[v]} | {t.get('steps')} | {t.get('seconds')} | {t.get('slicesPerS')} | "
                             f"{t.get('gpu') or t.get('device')} |")
        lines.append('')
    lines += ['DSC (0-1) and 95% Hausdorff distance (mm) per organ, CONTRACTS 6, on the CT grid, `whole` protocol. '
              'Organ means are over the cases that annotate the organ; HD95 means leave out empty predictions '
              '(counted in the last row). Layout of the paper\'s Table 1.', '']
    for split in ('test', 'val'):
        rows = [r for r in report['results'] if r['split'] == split]
        if not rows:
            continue
        by_v = {r['variant']: r for r in rows}
        vs = [v for v in VARIANTS if v in by_v]
        lines += [f'{h} {rows[0]["dataset"]}', '']
        lines.append('| organ | ' + ' | '.join(f'{VARIANT_NAMES[v]} DSC | {VARIANT_NAMES[v]} HD95' for v in vs) + ' |')
        lines.append('|---|' + '---|---|' * len(vs))
        organs = [o['tg263'] for o in ORGANS if any(o['tg263'] in by_v[v]['perOrgan'] for v in vs)]
        for name in organs:
            cells = []
            for v in vs:
                po = by_v[v]['perOrgan'].get(name, {})
                cells += [_fmt(po.get('dsc'), 3), _fmt(po.get('hd95Mm'), 1)]
            lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
        lines.append('| **average** | ' + ' | '.join(
            f"**{_fmt(by_v[v]['meanDsc'], 3)}** | **{_fmt(by_v[v]['meanHd95Mm'], 1)}**" for v in vs) + ' |')
        lines.append('| empty predictions | ' + ' | '.join(f"{by_v[v]['emptyPredictions']} | " for v in vs) + '|')
        lines.append('')
        lines += cleanup_markdown([by_v[v] for v in vs], f'{h}#')
    return '\n'.join(lines) + '\n'


def cleanup_markdown(rows: list[dict], h: str) -> list[str]:
    """Before/after the connected-component clean-up, for the results that carry one (--cleanup)."""
    rows = [r for r in rows if r.get('cleanup')]
    if not rows:
        return []
    lines = [f'{h} {rows[0]["dataset"]}: before / after the connected-component clean-up', '',
             '| organ | ' + ' | '.join(f'{VARIANT_NAMES[r["variant"]]} DSC before | after | HD95 before | after' for r in rows) + ' |',
             '|---|' + '---|---|---|---|' * len(rows)]
    names = [o['tg263'] for o in ORGANS if any(o['tg263'] in r['perOrgan'] for r in rows)]
    for name in names:
        cells = []
        for r in rows:
            b, a = r['perOrgan'].get(name, {}), r['cleanup']['perOrgan'].get(name, {})
            cells += [_fmt(b.get('dsc'), 3), _fmt(a.get('dsc'), 3), _fmt(b.get('hd95Mm'), 1), _fmt(a.get('hd95Mm'), 1)]
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    lines.append('| **average** | ' + ' | '.join(
        f"**{_fmt(r['meanDsc'], 3)}** | **{_fmt(r['cleanup']['meanDsc'], 3)}** | **{_fmt(r['meanHd95Mm'], 1)}** | "
        f"**{_fmt(r['cleanup']['meanHd95Mm'], 1)}**" for r in rows) + ' |')
    lines.append('')
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m attention_anatomy.evaluate', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('checkpoints', nargs='+', help='checkpoint files (.pt) or folders holding them')
    ap.add_argument('--cache', default='.train-cache')
    ap.add_argument('--splits', default='test,val', help='cache splits to evaluate (test = phantom held-out, val = OpenKBP val)')
    ap.add_argument('--limit', type=int, default=0, help='at most this many cases per split')
    ap.add_argument('--device', default='auto')
    ap.add_argument('--json', help='write the metrics here (input of export --metrics)')
    ap.add_argument('--results', help='write the Table-1 markdown here (e.g. training/RESULTS.md)')
    ap.add_argument('--append', metavar='TITLE', help='append the tables to --results as a section with this title '
                    '(e.g. a longer-trained model next to the equal-budget comparison) instead of overwriting it')
    ap.add_argument('--command', help='command line to record in the results (default: this evaluation command)')
    ap.add_argument('--cleanup', action='store_true',
                    help='also score after the per-organ connected-component clean-up (before/after tables)')
    ap.add_argument('--merge', action='append', default=[],
                    help='eval.json of another run of the same checkpoints (other splits, e.g. the GPU run) to merge '
                         'into --json / --results (repeatable)')
    args = ap.parse_args(argv)
    paths = []
    for p in map(Path, args.checkpoints):
        paths += sorted(p.glob('*.pt')) if p.is_dir() else [p]
    order = {v: i for i, v in enumerate(VARIANTS)}
    paths.sort(key=lambda p: order.get(p.stem, 99))
    report = evaluate(paths, args.cache, tuple(args.splits.split(',')), args.device, args.limit, cleanup=args.cleanup)
    command = args.command or ('PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.evaluate '
                               + ' '.join(argv if argv is not None else sys.argv[1:]))
    report['command'] = command
    for other_path in args.merge:
        other = json.loads(Path(other_path).read_text())
        have = {(r['variant'], r['split']) for r in report['results']}
        report['results'] += [r for r in other['results'] if (r['variant'], r['split']) not in have]
        report['trained'] = {**other.get('trained', {}), **report['trained']}
        command += f"; merged with {other_path}: {other.get('command', '')}"
        report['command'] = command
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    if args.results:
        md = results_markdown(report, command, read_index(args.cache), args.append or '')
        if args.append and Path(args.results).exists():
            md = Path(args.results).read_text().rstrip('\n') + '\n\n' + md
        Path(args.results).write_text(md)
    for r in report['results']:
        print(f"{r['variant']:14s} {r['dataset']}: mean DSC {r['meanDsc']}, mean HD95 {r['meanHd95Mm']} mm"
              + (f"; after clean-up {r['cleanup']['meanDsc']}, {r['cleanup']['meanHd95Mm']} mm" if r.get('cleanup') else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
