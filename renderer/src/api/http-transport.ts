// The control contract over HTTP for the web console: `POST /api/<method>` with a JSON body and
// a bearer token; events from `GET /api/events` (server-sent events). EventSource cannot send
// headers, so that one endpoint takes the token as `?token=`. The token arrives once in the URL
// fragment (`#token=…`, never sent to the server) and is kept in sessionStorage for this tab.
import type { ControlError, ControlErrorCode, ControlEvent, ControlResult, PreloadApi } from '../../../preload/contract';

const TOKEN_KEY = 'berth.console.token';

/** Moves `#token=…` from the address bar into sessionStorage, so it is not left visible. */
export function takeTokenFromFragment(): string | undefined {
  const match = /(?:^#|[#&])token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/registry`);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

const STATUS_CODES: Record<number, ControlErrorCode> = {
  400: 'INVALID_ARGUMENT',
  401: 'PERMISSION_DENIED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  503: 'UNAVAILABLE',
};

function failure(error: ControlError): ControlResult<never> {
  return { ok: false, error };
}

function isResult(body: unknown): body is ControlResult<unknown> {
  return typeof body === 'object' && body !== null && typeof (body as { ok?: unknown }).ok === 'boolean';
}

/** The same API the preload script gives the desktop app, over the console server's HTTP. */
export function createHttpTransport(): PreloadApi {
  const token = takeTokenFromFragment();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;

  return {
    async call(method, args) {
      let res: Response;
      try {
        res = await fetch(`/api/${method}`, { method: 'POST', headers, body: JSON.stringify(args ?? {}) });
      } catch {
        return failure({ code: 'UNAVAILABLE', message: 'The Berth console server is not reachable. Is `berth serve --console` still running?' });
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        body = undefined;
      }
      if (isResult(body)) return body as never;
      if (res.status === 401) {
        return failure({
          code: 'PERMISSION_DENIED',
          message: 'The console token is missing or wrong. Open the address `berth serve --console` printed (it ends in #token=…).',
        });
      }
      return failure({ code: STATUS_CODES[res.status] ?? 'INTERNAL', message: `The console server answered HTTP ${res.status} to ${method}.` });
    },
    onEvent(listener) {
      const query = token ? `?token=${encodeURIComponent(token)}` : '';
      const source = new EventSource(`/api/events${query}`);
      source.onmessage = (message: MessageEvent<string>) => {
        try {
          listener(JSON.parse(message.data) as ControlEvent);
        } catch {
          // A malformed event is ignored; the next status poll corrects the view.
        }
      };
      return () => source.close();
    },
  };
}
