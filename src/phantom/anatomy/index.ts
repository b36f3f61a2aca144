/**
 * The whole phantom anatomy for one subject, as an ordered layer list (painter's order) plus the
 * shapes of the organs (for landmarks). Order matters: envelope and cavities first, then the head,
 * neck and thorax, abdomen and pelvis, and the skeleton last so that bone carves soft tissue.
 */
import { ORGANS } from '../../organs';
import type { Layer } from '../render';
import type { Shape } from '../shapes';
import type { Subject } from '../subject';
import { buildAbdomen } from './abdomen';
import { buildBody } from './body';
import { Builder } from './builder';
import { buildHead } from './head';
import { buildSkeleton } from './skeleton';
import { buildThorax } from './thorax';

export interface Anatomy {
  layers: Layer[];
  /** The shape of each organ's own layer, by channel (1..33). */
  organShapes: Map<number, Shape>;
  /** Body outline (skin) and its posterior-most y (the couch top). */
  skin: Shape;
  backY: number;
}

export function buildAnatomy(s: Subject): Anatomy {
  const b = new Builder(s);
  const body = buildBody(b);
  const head = buildHead(b);
  buildThorax(b);
  buildAbdomen(b);
  buildSkeleton(b, head.junctionZ);
  for (const o of ORGANS) {
    if (!b.organShapes.has(o.channel)) throw new Error(`phantom anatomy: no layer for ${o.tg263}`);
  }
  return { layers: b.layers, organShapes: b.organShapes, skin: body.skin, backY: body.backY };
}
