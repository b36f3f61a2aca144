"""A minimal writer for TF.js graph models (`tf.loadGraphModel`), no TensorFlow needed.

model.json = {format: 'graph-model', modelTopology: GraphDef as JSON (node list), weightsManifest: [{paths,
weights}]}; every Const node's value lives in the weight shards under the node's name, which is how
tfjs-converter 4.x (operation_mapper.js, graph_model.js) resolves it. String attributes are base64, integer
lists are decimal strings, as in the JSON form of TensorFlow's protobufs.

Only the ops used by the exporter are offered, each checked against tfjs-converter 4.22's op list and the
kernels of the cpu, wasm, webgl and webgpu backends.
"""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import numpy as np

_DT = {'float32': 'DT_FLOAT', 'int32': 'DT_INT32'}
SHARD_BYTES = 4 * 1024 * 1024  # what tensorflowjs_converter uses


def _s(text: str) -> dict:
    return {'s': base64.b64encode(text.encode()).decode()}


def _ints(values) -> dict:
    return {'list': {'i': [str(int(v)) for v in values]}}


def _strs(values) -> dict:
    return {'list': {'s': [base64.b64encode(v.encode()).decode() for v in values]}}


def _type(dtype: str) -> dict:
    return {'type': _DT[dtype]}


def _shape(dims) -> dict:
    return {'shape': {'dim': [{'size': str(int(d))} for d in dims]}}


class GraphBuilder:
    """Collects nodes and weights in order; `save` writes model.json and the binary shards."""

    def __init__(self):
        self.nodes: list[dict] = []
        self.weights: list[tuple[str, np.ndarray]] = []
        self._names: set[str] = set()

    def _add(self, node: dict) -> str:
        if node['name'] in self._names:
            raise ValueError(f'duplicate node name {node["name"]}')
        self._names.add(node['name'])
        self.nodes.append(node)
        return node['name']

    def placeholder(self, name: str, shape) -> str:
        return self._add({'name': name, 'op': 'Placeholder',
                          'attr': {'dtype': _type('float32'), 'shape': _shape(shape)}})

    def const(self, name: str, value) -> str:
        arr = np.asarray(value)
        if arr.dtype.kind in 'iu':
            arr = arr.astype(np.int32)
        elif arr.dtype.kind == 'f':
            arr = arr.astype(np.float32)
        else:
            raise TypeError(f'unsupported constant dtype {arr.dtype}')
        dtype = 'int32' if arr.dtype == np.int32 else 'float32'
        self.weights.append((name, arr))
        return self._add({'name': name, 'op': 'Const', 'attr': {
            'dtype': _type(dtype),
            'value': {'tensor': {'dtype': _DT[dtype], 'tensorShape': {'dim': [{'size': str(d)} for d in arr.shape]}}}}})

    def fused_conv2d(self, name: str, x: str, filt_hwio: np.ndarray, bias: np.ndarray, activation: str | None) -> str:
        """_FusedConv2D: conv (stride 1, SAME) + BiasAdd (+ Relu), NHWC."""
        w = self.const(f'{name}/filter', filt_hwio)
        b = self.const(f'{name}/bias', bias)
        ops = ['BiasAdd'] + (['Relu'] if activation == 'relu' else [])
        if activation not in (None, 'relu'):
            raise ValueError(activation)
        return self._add({'name': name, 'op': '_FusedConv2D', 'input': [x, w, b], 'attr': {
            'T': _type('float32'), 'num_args': {'i': '1'}, 'fused_ops': _strs(ops),
            'strides': _ints([1, 1, 1, 1]), 'dilations': _ints([1, 1, 1, 1]), 'padding': _s('SAME'),
            'data_format': _s('NHWC'), 'explicit_paddings': {'list': {}}, 'use_cudnn_on_gpu': {'b': True},
            'epsilon': {'f': 0.0}}})

    def fused_matmul(self, name: str, x: str, w_io: np.ndarray, bias: np.ndarray, activation: str | None) -> str:
        w = self.const(f'{name}/weights', w_io)
        b = self.const(f'{name}/bias', bias)
        ops = ['BiasAdd'] + (['Relu'] if activation == 'relu' else [])
        return self._add({'name': name, 'op': '_FusedMatMul', 'input': [x, w, b], 'attr': {
            'T': _type('float32'), 'num_args': {'i': '1'}, 'fused_ops': _strs(ops),
            'transpose_a': {'b': False}, 'transpose_b': {'b': False}, 'epsilon': {'f': 0.0}}})

    def binary(self, op: str, name: str, a: str, b: str) -> str:
        assert op in ('AddV2', 'Mul')
        return self._add({'name': name, 'op': op, 'input': [a, b], 'attr': {'T': _type('float32')}})

    def unary(self, op: str, name: str, x: str) -> str:
        assert op in ('Relu', 'Sigmoid', 'Identity')
        return self._add({'name': name, 'op': op, 'input': [x], 'attr': {'T': _type('float32')}})

    def max_pool2x2(self, name: str, x: str) -> str:
        return self._add({'name': name, 'op': 'MaxPool', 'input': [x], 'attr': {
            'T': _type('float32'), 'ksize': _ints([1, 2, 2, 1]), 'strides': _ints([1, 2, 2, 1]),
            'padding': _s('VALID'), 'data_format': _s('NHWC'), 'explicit_paddings': {'list': {}}}})

    def resize_nearest(self, name: str, x: str, size_hw) -> str:
        """align_corners = half_pixel_centers = false: source index floor(out * in / out_size), which for x2
        is PyTorch's F.interpolate(mode='nearest')."""
        size = self.const(f'{name}/size', np.asarray(size_hw, dtype=np.int32))
        return self._add({'name': name, 'op': 'ResizeNearestNeighbor', 'input': [x, size], 'attr': {
            'T': _type('float32'), 'align_corners': {'b': False}, 'half_pixel_centers': {'b': False}}})

    def concat(self, name: str, xs: list[str], axis: int) -> str:
        ax = self.const(f'{name}/axis', np.asarray(axis, dtype=np.int32))
        return self._add({'name': name, 'op': 'ConcatV2', 'input': [*xs, ax], 'attr': {
            'T': _type('float32'), 'N': {'i': str(len(xs))}, 'Tidx': _type('int32')}})

    def mean(self, name: str, x: str, axes) -> str:
        ax = self.const(f'{name}/axes', np.asarray(axes, dtype=np.int32))
        return self._add({'name': name, 'op': 'Mean', 'input': [x, ax], 'attr': {
            'T': _type('float32'), 'Tidx': _type('int32'), 'keep_dims': {'b': False}}})

    # ------------------------------------------------------------------ writing
    def save(self, out_dir: str | os.PathLike, weight_dtype: str = 'float16', generated_by: str = '') -> dict:
        """Writes model.json + group1-shardKofN.bin; float weights as IEEE half with tfjs quantization
        metadata when weight_dtype == 'float16'. Returns {'bytes': total shard bytes, 'files': [...]}."""
        if weight_dtype not in ('float16', 'float32'):
            raise ValueError(weight_dtype)
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        specs, blobs = [], []
        for name, arr in self.weights:
            spec = {'name': name, 'shape': list(arr.shape), 'dtype': 'int32' if arr.dtype == np.int32 else 'float32'}
            if arr.dtype == np.float32 and weight_dtype == 'float16':
                if np.abs(arr).max(initial=0) > 65504:
                    raise OverflowError(f'{name} does not fit float16')
                data = arr.astype('<f2').tobytes()
                spec['quantization'] = {'dtype': 'float16', 'original_dtype': 'float32'}
            else:
                data = arr.astype('<i4' if arr.dtype == np.int32 else '<f4').tobytes()
            specs.append(spec)
            blobs.append(data)
        payload = b''.join(blobs)
        n = max(1, -(-len(payload) // SHARD_BYTES))
        paths = [f'group1-shard{i + 1}of{n}.bin' for i in range(n)]
        for old in out.glob('group1-shard*.bin'):
            old.unlink()
        for i, p in enumerate(paths):
            (out / p).write_bytes(payload[i * SHARD_BYTES:(i + 1) * SHARD_BYTES])
        model_json = {
            'format': 'graph-model',
            'generatedBy': generated_by or 'attention_anatomy.tfjs_graph',
            'convertedBy': 'attention_anatomy.export (PyTorch -> TF.js graph, no TensorFlow)',
            'modelTopology': {'node': self.nodes, 'library': {}, 'versions': {'producer': 1, 'minConsumer': 0}},
            'weightsManifest': [{'paths': paths, 'weights': specs}],
        }
        (out / 'model.json').write_text(json.dumps(model_json, separators=(',', ':')))
        return {'bytes': len(payload), 'files': ['model.json', *paths]}
