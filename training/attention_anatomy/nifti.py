"""A small numpy-only NIfTI-1 reader and writer (.nii / .nii.gz), so training runs where nibabel is absent.

read_nifti returns the voxel array indexed [i, j, k] and the 4x4 affine to RAS+ mm, chosen like nibabel:
sform when sform_code > 0, else qform (quaternion) when qform_code > 0, else the pixdim diagonal.
"""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

_DTYPES = {2: 'u1', 4: 'i2', 8: 'i4', 16: 'f4', 64: 'f8', 256: 'i1', 512: 'u2', 768: 'u4', 1024: 'i8', 1280: 'u8'}
_CODES = {v: k for k, v in _DTYPES.items()}


class NiftiError(ValueError):
    pass


def _quaternion_affine(b, c, d, qfac, pixdim, offset) -> np.ndarray:
    a2 = 1.0 - (b * b + c * c + d * d)
    a = np.sqrt(a2) if a2 > 1e-7 else 0.0
    r = np.array([[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                  [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
                  [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]])
    zooms = np.array([pixdim[1], pixdim[2], pixdim[3] * (-1.0 if qfac < 0 else 1.0)])
    aff = np.eye(4)
    aff[:3, :3] = r * zooms
    aff[:3, 3] = offset
    return aff


def read_nifti(path) -> tuple[np.ndarray, np.ndarray]:
    """(data [i, j, k(, ...)] with scl_slope / scl_inter applied when set, affine 4x4 voxel -> RAS mm)."""
    raw = Path(path).read_bytes()
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    if len(raw) < 348:
        raise NiftiError(f'{path}: too short for a NIfTI-1 header')
    for endian in '<>':
        if struct.unpack(endian + 'i', raw[:4])[0] == 348:
            break
    else:
        raise NiftiError(f'{path}: not NIfTI-1 (sizeof_hdr != 348)')
    if raw[344:347] not in (b'n+1', b'ni1'):
        raise NiftiError(f'{path}: bad magic {raw[344:348]!r}')
    u = lambda fmt, off: struct.unpack(endian + fmt, raw[off:off + struct.calcsize(fmt)])  # noqa: E731
    dim = u('8h', 40)
    ndim = dim[0]
    if not 1 <= ndim <= 7:
        raise NiftiError(f'{path}: bad dim[0] {ndim}')
    shape = tuple(int(v) for v in dim[1:1 + ndim])
    datatype = u('h', 70)[0]
    if datatype not in _DTYPES:
        raise NiftiError(f'{path}: unsupported datatype {datatype}')
    pixdim = u('8f', 76)
    vox_offset = int(u('f', 108)[0])
    slope, inter = u('2f', 112)
    qform_code, sform_code = u('2h', 252)
    quat = u('6f', 256)
    srow = np.array(u('12f', 280), dtype=np.float64).reshape(3, 4)
    offset = max(vox_offset, 352)
    dt = np.dtype(endian + _DTYPES[datatype])
    n = int(np.prod(shape))
    if len(raw) < offset + n * dt.itemsize:
        raise NiftiError(f'{path}: data truncated')
    data = np.frombuffer(raw, dtype=dt, count=n, offset=offset).reshape(shape, order='F')
    # scl_slope 0 or NaN means "no scaling" (NIfTI-1 standard).
    if np.isfinite(slope) and slope != 0.0 and (slope != 1.0 or (np.isfinite(inter) and inter != 0.0)):
        data = data * np.float32(slope) + np.float32(inter if np.isfinite(inter) else 0.0)
    if sform_code > 0:
        affine = np.vstack([srow, [0, 0, 0, 1]])
    elif qform_code > 0:
        qfac = pixdim[0] if pixdim[0] in (-1.0, 1.0) else 1.0
        affine = _quaternion_affine(quat[0], quat[1], quat[2], qfac, pixdim, quat[3:6])
    else:
        affine = np.diag([pixdim[1], pixdim[2], pixdim[3], 1.0])
    return np.ascontiguousarray(data) if data.flags.f_contiguous and ndim > 1 else data, affine


def write_nifti(path, data: np.ndarray, affine: np.ndarray) -> None:
    """Writes a single-file NIfTI-1 (gzip when the name ends in .gz) with sform = qform code 1 (scanner)
    and the affine in srow (qform left as the identity rotation; readers prefer sform)."""
    data = np.asarray(data)
    code = _CODES.get(data.dtype.str.lstrip('<>|='))
    if code is None:
        raise NiftiError(f'unsupported dtype {data.dtype}')
    hdr = bytearray(352)
    struct.pack_into('<i', hdr, 0, 348)
    dims = [data.ndim, *data.shape] + [1] * (7 - data.ndim)
    struct.pack_into('<8h', hdr, 40, *dims)
    struct.pack_into('<hh', hdr, 70, code, data.dtype.itemsize * 8)
    zooms = np.sqrt((np.asarray(affine)[:3, :3] ** 2).sum(axis=0))
    struct.pack_into('<8f', hdr, 76, 1.0, *zooms, 1, 1, 1, 1)
    struct.pack_into('<f', hdr, 108, 352.0)
    struct.pack_into('<2f', hdr, 112, 1.0, 0.0)
    struct.pack_into('<B', hdr, 123, 2)  # xyzt_units: mm
    struct.pack_into('<2h', hdr, 252, 0, 1)
    struct.pack_into('<12f', hdr, 280, *np.asarray(affine, dtype=np.float64)[:3, :4].ravel())
    hdr[344:348] = b'n+1\x00'
    payload = bytes(hdr) + np.asarray(data, dtype=data.dtype.newbyteorder('<')).tobytes(order='F')
    p = Path(path)
    p.write_bytes(gzip.compress(payload, 6) if p.name.endswith('.gz') else payload)
