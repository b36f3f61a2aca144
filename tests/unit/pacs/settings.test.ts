import { describe, expect, it } from 'vitest';
import { loadSettings, persisted, saveSettings, SETTINGS_KEY, toConfig, type PacsSettings } from '../../../src/pacs/settings';

const mem = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
};
const S: PacsSettings = {
  url: 'http://pacs:8042/dicom-web',
  authKind: 'basic',
  user: 'u',
  password: 'p',
  token: '',
  remember: false,
};

describe('PACS settings', () => {
  it('remembers the secret only when asked', () => {
    expect(persisted(S).password).toBe('');
    expect(persisted({ ...S, remember: true }).password).toBe('p');
    const st = mem();
    saveSettings(S, st);
    expect(JSON.parse(st.m.get(SETTINGS_KEY)!)).toMatchObject({ url: S.url, user: 'u', password: '' });
    expect(loadSettings(st)).toEqual({ ...S, password: '' });
  });
  it('survives garbage in storage', () => {
    const st = mem();
    st.setItem(SETTINGS_KEY, '{nope');
    expect(loadSettings(st).url).toBe('');
    st.setItem(SETTINGS_KEY, JSON.stringify({ url: 5, authKind: 'kerberos' }));
    expect(loadSettings(st)).toMatchObject({ url: '', authKind: 'none' });
  });
  it('maps to a client config', () => {
    expect(toConfig({ ...S, authKind: 'bearer', token: 't' }).auth).toEqual({ kind: 'bearer', token: 't' });
    expect(toConfig(S).auth).toEqual({ kind: 'basic', user: 'u', password: 'p' });
  });
});
