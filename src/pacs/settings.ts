/**
 * The PACS connection the user typed, remembered in localStorage: the URL, the kind of authentication and
 * the user name always; the password or token only when "remember credentials" is ticked.
 */
import type { PacsAuth, PacsConfig } from './client';

export const SETTINGS_KEY = 'aa.pacs.settings.v1';

export interface PacsSettings {
  url: string;
  authKind: PacsAuth['kind'];
  user: string;
  password: string;
  token: string;
  remember: boolean;
}

export const DEFAULT_SETTINGS: PacsSettings = { url: '', authKind: 'none', user: '', password: '', token: '', remember: false };

export function toConfig(s: PacsSettings): PacsConfig {
  const auth: PacsAuth =
    s.authKind === 'basic'
      ? { kind: 'basic', user: s.user, password: s.password }
      : s.authKind === 'bearer'
        ? { kind: 'bearer', token: s.token }
        : { kind: 'none' };
  return { url: s.url, auth };
}

/** What is written to storage (pure). */
export function persisted(s: PacsSettings): PacsSettings {
  return s.remember ? s : { ...s, password: '', token: '' };
}

export function loadSettings(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): PacsSettings {
  try {
    const raw = storage?.getItem(SETTINGS_KEY);
    if (!raw) return DEFAULT_SETTINGS;
    const v = JSON.parse(raw) as Partial<PacsSettings>;
    return {
      url: typeof v.url === 'string' ? v.url : '',
      authKind: v.authKind === 'basic' || v.authKind === 'bearer' ? v.authKind : 'none',
      user: typeof v.user === 'string' ? v.user : '',
      password: typeof v.password === 'string' ? v.password : '',
      token: typeof v.token === 'string' ? v.token : '',
      remember: v.remember === true,
    };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function saveSettings(s: PacsSettings, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(persisted(s)));
  } catch {
    /* storage full or disabled: the form still works for this session */
  }
}
