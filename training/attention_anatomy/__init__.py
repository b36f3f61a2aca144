"""AttentionAnatomy training package (PyTorch): model, losses, data, training, export to TF.js, evaluation.

Runs on Debian python3-torch 1.13 (CPU) and on torch 2.x with CUDA; no third-party imports beyond
numpy, scipy (evaluation only) and torch.
"""
