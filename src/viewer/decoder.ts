/**
 * Browser decoder for compressed transfer syntaxes (JPEG 2000, JPEG-LS, JPEG lossless, RLE, HTJ2K, ...):
 * the dicom-image-loader's codecs in its web workers. Returns stored values; our loader applies the
 * rescale and writes into the volume's single HU buffer.
 */
import { getWebWorkerManager } from '@cornerstonejs/core';
import type { CompressedDecoder } from '../dicom/build';
import { initCornerstone } from './cornerstone';

interface DecodedFrame {
  pixelData: ArrayLike<number>;
  rows?: number;
  columns?: number;
}

export const browserDecoder: CompressedDecoder = async (frame, h) => {
  await initCornerstone();
  const imageFrame = {
    samplesPerPixel: h.samplesPerPixel,
    photometricInterpretation: h.photometricInterpretation || 'MONOCHROME2',
    planarConfiguration: 0,
    rows: h.rows,
    columns: h.columns,
    bitsAllocated: h.bitsAllocated,
    bitsStored: h.bitsStored,
    pixelRepresentation: h.pixelRepresentation,
    pixelData: undefined,
  };
  // slice(): post only this frame; a view would clone the whole file buffer into the worker.
  const decoded = (await getWebWorkerManager().executeTask('dicomImageLoader', 'decodeTask', {
    imageFrame,
    transferSyntax: h.transferSyntaxUID,
    pixelData: frame.slice(),
    options: { preScale: { enabled: false } },
    decodeConfig: {},
  })) as DecodedFrame;
  if ((decoded.rows && decoded.rows !== h.rows) || (decoded.columns && decoded.columns !== h.columns)) {
    throw new Error(`decoded ${decoded.columns}x${decoded.rows}, header says ${h.columns}x${h.rows}`);
  }
  return decoded.pixelData;
};
