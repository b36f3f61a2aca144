/** Error / warning / info banners above the viewer; each can be dismissed. */
import { useState } from 'react';
import type { Notice } from '../ui/notices';

const ICON = { error: '⛔', warning: '⚠', info: 'ℹ' } as const;
const MAX_ITEMS = 5;

function NoticeBanner({ notice, onDismiss }: { notice: Notice; onDismiss: () => void }) {
  const [open, setOpen] = useState(false);
  const items = notice.items ?? [];
  return (
    <div
      className={`notice notice-${notice.severity}`}
      role={notice.severity === 'error' ? 'alert' : 'status'}
      data-testid={`notice-${notice.id}`}
      data-severity={notice.severity}
    >
      <span className="notice-icon" aria-hidden>
        {ICON[notice.severity]}
      </span>
      <div className="notice-body">
        <strong>{notice.title}</strong> {notice.detail && <span>{notice.detail}</span>}
        {(notice.count ?? 1) > 1 && (
          <span className="notice-count" data-testid="notice-count">
            {' '}
            (×{notice.count})
          </span>
        )}
        {items.length > 0 && (
          <ul className="notice-items">
            {(open ? items : items.slice(0, MAX_ITEMS)).map((it) => (
              <li key={it}>{it}</li>
            ))}
            {items.length > MAX_ITEMS && (
              <li>
                <button className="link" onClick={() => setOpen(!open)}>
                  {open ? 'show fewer' : `and ${items.length - MAX_ITEMS} more`}
                </button>
              </li>
            )}
          </ul>
        )}
      </div>
      <button className="ghost notice-close" onClick={onDismiss} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}

export function Notices({ notices, onDismiss }: { notices: Notice[]; onDismiss: (id: string) => void }) {
  if (!notices.length) return null;
  const order = { error: 0, warning: 1, info: 2 };
  return (
    <div className="notices">
      {[...notices]
        .sort((a, b) => order[a.severity] - order[b.severity])
        .map((n) => (
          <NoticeBanner key={n.id} notice={n} onDismiss={() => onDismiss(n.id)} />
        ))}
    </div>
  );
}
