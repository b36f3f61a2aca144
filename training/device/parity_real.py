"""Float16 export vs PyTorch on real slices: the middle slice of four OpenKBP val cases on the model grid.

usage: PYTHONPATH=training /usr/bin/python3 training/device/parity_real.py CHECKPOINT.pt PACKAGE_DIR [CACHE]
"""
import sys, tempfile
from pathlib import Path
import numpy as np, torch
sys.path.insert(0, 'training/tests')
from attention_anatomy.export import load_checkpoint
from attention_anatomy.sampler import DeviceData, Augment
from test_export import run_tfjs, run_torch
model, _ = load_checkpoint(sys.argv[1])
data = DeviceData(sys.argv[3] if len(sys.argv) > 3 else '.train-cache', ('val',), 'cpu')
g = torch.Generator().manual_seed(0)
case = torch.tensor([0, 5, 10, 20])
k = torch.div(data.K[case], 2, rounding_mode='floor')
x = data.batch(case, k, Augment.none(), g)['x'].permute(0, 2, 3, 1).contiguous().numpy().astype(np.float32)
with tempfile.TemporaryDirectory() as d:
    js, pt = run_tfjs(Path(sys.argv[2]), x, Path(d)), run_torch(model, x)
err = {k: float(np.abs(js[k] - pt[k]).max()) for k in js}
a, b = js['seg'].argmax(-1), pt['seg'].argmax(-1)
print(f'real slices {x.shape}: max abs error {err} (seg logits up to {np.abs(pt["seg"]).max():.1f}); '
      f'argmax agreement {float((a == b).mean()):.5f}; organ pixels (torch) {int((b > 0).sum())}, of which agree {float((a[b > 0] == b[b > 0]).mean()):.4f}')
