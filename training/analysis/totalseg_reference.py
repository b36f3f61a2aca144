"""TotalSegmentator's full-field-of-view silver labels of its example CT as a label map of our organ channels,
for `npm run segment -- --reference` (values = organ channels, no legend needed).

The example's `example_seg.nii.gz` covers slices 82-111 only; `example_seg_fast_force_split.nii.gz` ("--fast
-fs" on the whole `example_ct.nii.gz`, 122 x 101 x 112) covers every slice. Class names -> channels:
../shared/data/anatomy/totalseg/map33.tsv (lobes -> lungs, kidney cysts -> kidneys, small bowel + duodenum +
colon -> Bag_Bowel).

usage: /usr/bin/python3 training/analysis/totalseg_reference.py OUT.nii.gz [DATA_ROOT]
"""
import json
import sys
from pathlib import Path

import nibabel as nib
import numpy as np

out_path = Path(sys.argv[1])
root = Path(sys.argv[2] if len(sys.argv) > 2 else '../shared/data')
ex = root / 'real' / 'totalseg-example'
names = {v: int(k) for k, v in json.loads((ex / 'labels_total_v2.json').read_text()).items()}
img = nib.load(ex / 'example_seg_fast_force_split.nii.gz')
seg = np.asarray(img.dataobj)
out = np.zeros(seg.shape, np.uint8)
for line in (root / 'anatomy' / 'totalseg' / 'map33.tsv').read_text().splitlines()[1:]:
    channel, _tg263, classes = line.split('\t')
    for c in classes.split('+'):
        out[seg == names[c]] = int(channel)
out_path.parent.mkdir(parents=True, exist_ok=True)
nib.save(nib.Nifti1Image(out, img.affine, img.header), out_path)
present = {int(c): int(n) for c, n in zip(*np.unique(out, return_counts=True)) if c}
print(f'{out_path}: {len(present)} organs {present}')
