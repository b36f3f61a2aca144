/**
 * Orientation labels at the four edges of a viewport, from its camera (pure; no Cornerstone import).
 * Cornerstone's viewPlaneNormal points from the focal point towards the viewer, so the screen's right
 * direction in patient space is viewUp x viewPlaneNormal.
 */
import { directionLetters } from '../dicom/geometry';
import { cross, scale } from '../dicom/vec';
import type { Vec3 } from '../volume/volume';

export interface EdgeLabels {
  top: string;
  bottom: string;
  left: string;
  right: string;
}

export function edgeLabels(viewUp: Vec3, viewPlaneNormal: Vec3): EdgeLabels {
  const right = cross(viewUp, viewPlaneNormal);
  return {
    top: directionLetters(viewUp),
    bottom: directionLetters(scale(viewUp, -1)),
    right: directionLetters(right),
    left: directionLetters(scale(right, -1)),
  };
}
