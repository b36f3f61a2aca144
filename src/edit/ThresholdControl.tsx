/**
 * The HU limit of the brush and the freehand fill: off, a preset (bone, soft tissue, no air / lung) or a
 * custom min / max. An invalid custom window is shown as an error and not applied.
 */
import { useState } from 'react';
import type { EditSession, EditSnapshot } from './session';
import { HU_PRESETS, presetRange, validRange, type HuPresetId, type HuRange } from './threshold';

export function ThresholdControl({ session, snap, disabled }: { session: EditSession; snap: EditSnapshot; disabled: boolean }) {
  const [preset, setPreset] = useState<HuPresetId | 'off'>(() => (snap.threshold ? 'custom' : 'off'));
  const [custom, setCustom] = useState<HuRange>(() => snap.threshold ?? { min: -100, max: 200 });
  const [error, setError] = useState<string | null>(null);
  const apply = (p: HuPresetId | 'off', c: HuRange) => {
    setPreset(p);
    setCustom(c);
    if (p === 'off') {
      session.setThreshold(null);
      setError(null);
      return;
    }
    const r = presetRange(p, c);
    if (!validRange(r)) {
      setError(`HU window ${r.min}..${r.max} is empty`);
      session.setThreshold(null);
      return;
    }
    try {
      session.setThreshold(r);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const num = (v: string) => (v.trim() === '' ? NaN : Number(v));
  return (
    <div className="oar-row" data-testid="threshold-control" data-active={snap.threshold ? 'true' : 'false'}>
      <label className="small" title="Brush and Fill change only voxels whose HU lies in this window (erasing is not limited)">
        HU limit{' '}
        <select
          value={preset}
          disabled={disabled}
          data-testid="threshold-preset"
          onChange={(e) => apply(e.target.value as HuPresetId | 'off', custom)}
        >
          <option value="off">off</option>
          {HU_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
          <option value="custom">custom</option>
        </select>
      </label>
      {preset === 'custom' && (
        <span className="small">
          <input
            type="number"
            aria-label="HU min"
            value={Number.isFinite(custom.min) ? custom.min : ''}
            style={{ width: '4.5em' }}
            data-testid="threshold-min"
            disabled={disabled}
            onChange={(e) => apply('custom', { ...custom, min: num(e.target.value) })}
          />
          {' .. '}
          <input
            type="number"
            aria-label="HU max"
            value={Number.isFinite(custom.max) ? custom.max : ''}
            style={{ width: '4.5em' }}
            data-testid="threshold-max"
            disabled={disabled}
            onChange={(e) => apply('custom', { ...custom, max: num(e.target.value) })}
          />
        </span>
      )}
      {error && (
        <span className="small error" role="alert" data-testid="threshold-error">
          {error}
        </span>
      )}
    </div>
  );
}
