/**
 * Pixel-metadata plausibility before inference (issue 17 point 2): findings that would otherwise end in a silent
 * "Done" with wrong or empty contours, as named GeometryWarnings ('error' blocks segmentation, see
 * segmentationAllowed). Pure functions: one over the header attributes, one over the HU values.
 */
import type { GeometryWarning } from '../volume/volume';

export interface PixelMetaInput {
  modality: string;
  pixelSpacing?: string;
  /** Imager Pixel Spacing (0018,1164): the fallback for a missing PixelSpacing. */
  imagerPixelSpacing?: string;
  /** Whether (0028,1052) / (0028,1053) were present at all. */
  hasRescaleIntercept: boolean;
  hasRescaleSlope: boolean;
  rescaleSlope: number;
  rescaleIntercept: number;
  pixelRepresentation: number;
  bitsStored: number;
}

const positive = (ds: string | undefined) => {
  const v = (ds ?? '').split('\\').map(Number);
  return v.length >= 1 && v.every((x) => Number.isFinite(x) && x > 0) ? v : null;
};

/** Findings from the header of the series' first slice. */
export function checkPixelMetadata(h: PixelMetaInput): GeometryWarning[] {
  const out: GeometryWarning[] = [];
  if (!positive(h.pixelSpacing)) {
    if (positive(h.imagerPixelSpacing)) {
      out.push({
        code: 'pixel-spacing-fallback',
        severity: 'warning',
        message: `PixelSpacing (0028,0030) is missing; Imager Pixel Spacing (0018,1164) ${h.imagerPixelSpacing} mm was used instead (at the detector, not corrected for magnification).`,
      });
    } else {
      out.push({
        code: 'no-pixel-spacing',
        severity: 'error',
        message:
          'PixelSpacing (0028,0030) is missing: the pixel size is unknown, so organ sizes and contour coordinates would be wrong (1 mm would be a guess). Segmentation is refused.',
      });
    }
  }
  if (h.modality === 'CT') {
    if (!Number.isFinite(h.rescaleSlope) || h.rescaleSlope <= 0 || h.rescaleSlope > 100 || h.rescaleSlope < 0.01) {
      out.push({
        code: 'implausible-rescale',
        severity: 'error',
        message: `Rescale Slope ${h.rescaleSlope} is not plausible for CT (expected about 1): the HU values would be wrong. Segmentation is refused.`,
      });
    }
    if (Math.abs(h.rescaleIntercept) > 10_000) {
      out.push({
        code: 'implausible-rescale',
        severity: 'error',
        message: `Rescale Intercept ${h.rescaleIntercept} is not plausible for CT (usually 0 or -1024). Segmentation is refused.`,
      });
    }
    if (!h.hasRescaleIntercept) {
      out.push({
        code: 'no-rescale',
        severity: 'warning',
        message: `Rescale Intercept (0028,1052) is missing; 0 was assumed${h.pixelRepresentation === 0 ? ' although the pixels are unsigned (CT usually stores HU + 1024 then)' : ''}. Check the HU values (air should read about -1000).`,
      });
    }
  }
  return out;
}

/**
 * Findings from the HU values (a sample is enough): no air near -1000 and no soft tissue near 0-100 is not
 * CT-like (wrong rescale, unsigned data read as signed or the reverse); many values beyond +3000 HU is the
 * signature of signed data declared unsigned.
 */
export function checkHuValues(hu: ArrayLike<number>, step = Math.max(1, Math.floor(hu.length / 200_000))): GeometryWarning[] {
  let n = 0;
  let air = 0;
  let soft = 0;
  let huge = 0;
  let belowAir = 0;
  for (let i = 0; i < hu.length; i += step) {
    const v = hu[i];
    n++;
    if (v >= -1100 && v <= -850) air++;
    else if (v >= -100 && v <= 150) soft++;
    else if (v > 3000) huge++;
    else if (v < -1100) belowAir++;
  }
  if (!n) return [];
  const out: GeometryWarning[] = [];
  if (huge / n > 0.05) {
    out.push({
      code: 'implausible-hu',
      severity: 'error',
      message: `${Math.round((100 * huge) / n)}% of the voxels are above +3000 HU: signed pixel data declared unsigned (Pixel Representation 0), or a wrong rescale? Segmentation is refused.`,
    });
  } else if (belowAir / n > 0.2 && air / n < 0.01) {
    // (padding outside the field of view, -2000 or -3024, is normal next to real air)
    out.push({
      code: 'implausible-hu',
      severity: 'error',
      message: `${Math.round((100 * belowAir) / n)}% of the voxels are below -1100 HU (air is -1000): a wrong Rescale Intercept or signedness? Segmentation is refused.`,
    });
  } else if (air / n < 0.01 && soft / n < 0.05) {
    out.push({
      code: 'not-ct-like',
      severity: 'warning',
      message:
        'The HU values do not look like CT (no air near -1000 HU and little soft tissue near 0-100 HU): contours may be empty or wrong. Check the rescale attributes.',
    });
  }
  return out;
}

/** NIfTI input: NaN or infinite values cannot be HU. */
export function countNonFinite(values: ArrayLike<number>): number {
  let bad = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) bad++;
  return bad;
}

/** Smallest in-plane matrix (pixels per row and per column) that segmentation accepts. */
export const MIN_SEGMENT_MATRIX = 16;
/** Smallest in-plane field of view (mm, each direction) that segmentation accepts: no body fits in less. */
export const MIN_SEGMENT_FOV_MM = 50;

/**
 * Segmentability of the in-plane grid (issue 16, the corpus's 1x1 case): a matrix or field of view far below
 * anything a CT of a patient has cannot be contoured. Kept out of the loader (tiny volumes are fine to view and
 * are what the loader's unit tests use); the app and the batch page add it before deciding segmentation.
 */
export function checkInPlaneSize(dims: readonly number[], spacing: readonly number[]): GeometryWarning[] {
  const [cols, rows] = dims;
  const fov = [cols * spacing[0], rows * spacing[1]];
  if (Math.min(cols, rows) < MIN_SEGMENT_MATRIX) {
    return [
      {
        code: 'too-small-matrix',
        severity: 'error',
        message: `The images are ${cols} x ${rows} pixels: segmentation needs at least ${MIN_SEGMENT_MATRIX} x ${MIN_SEGMENT_MATRIX} (a CT of a patient is usually 512 x 512). The series can still be viewed.`,
      },
    ];
  }
  if (Math.min(...fov) < MIN_SEGMENT_FOV_MM) {
    return [
      {
        code: 'too-small-matrix',
        severity: 'error',
        message: `The field of view is ${fov.map((v) => v.toFixed(0)).join(' x ')} mm: segmentation needs at least ${MIN_SEGMENT_FOV_MM} mm in each direction (no body fits in less). The series can still be viewed.`,
      },
    ];
  }
  return [];
}

/** Adds the segmentability findings (checkInPlaneSize) to a loaded volume once; returns it. */
export function withSegmentabilityChecks<
  T extends { dims: readonly number[]; spacing: readonly number[]; warnings: GeometryWarning[] },
>(ct: T): T {
  if (!ct.warnings.some((w) => w.code === 'too-small-matrix')) ct.warnings.push(...checkInPlaneSize(ct.dims, ct.spacing));
  return ct;
}
