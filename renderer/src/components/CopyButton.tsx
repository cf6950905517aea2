// Copies text to the clipboard. navigator.clipboard needs a secure context (the desktop app and
// the loopback console have one); a console opened over plain http on a LAN falls back to
// selecting a hidden textarea and execCommand('copy').
import { useState } from 'react';

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the legacy path
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  return ok;
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const shown = state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label;
  return (
    <button
      type="button"
      className="btn btn-small"
      // The name starts with the visible text (speech input users say what they see), then what is copied.
      aria-label={`${shown}: ${text}`}
      onClick={() => {
        void copyText(text).then((ok) => {
          setState(ok ? 'copied' : 'failed');
          setTimeout(() => setState('idle'), 1500);
        });
      }}
    >
      {shown}
    </button>
  );
}

/** A command or address in monospace with a copy button beside it. */
export function CopyLine({ text, label }: { text: string; label?: string }) {
  return (
    <div className="copy-line">
      <code>{text}</code>
      <CopyButton text={text} label={label} />
    </div>
  );
}
