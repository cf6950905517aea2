// The kept-warm images of a proxy (berth.proxy.warm.images; warm.list): each entry's cached
// digest, size, last refresh and last error, with Fetch now for one entry or all. Shown only
// when the running registry is a proxy. While a refresh runs, the list is read again every two
// seconds so the row shows when it is done.
import { useEffect } from 'react';
import type { WarmEntry, WarmList } from '../../../../preload/contract';
import { formatBytes } from '../../../../preload/contract/format-bytes';
import { invoke } from '../../api/control';
import { useAction, useCall } from '../../api/hooks';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/Notice';
import { formatDate, shortDigest } from '../../lib/format';

const REASONS: Record<NonNullable<WarmEntry['lastError']>['reason'], string> = {
  'upstream-down': 'Upstream down',
  'rate-limited': 'Rate limited',
  'not-found': 'Not found',
  denied: 'Access denied',
  failed: 'Failed',
};

export function WarmCard({ refreshKey }: { refreshKey: unknown }) {
  const list = useCall('warm.list', {}, { refreshKey });
  const fetchNow = useAction((image?: string) => invoke('warm.fetchNow', image === undefined ? {} : { image }));
  const { reload } = list;
  const shown: WarmList | undefined = list.data;
  const refreshing = shown?.entries.some((e) => e.refreshing) ?? false;

  useEffect(() => {
    if (!refreshing || fetchNow.busy) return;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [refreshing, fetchNow.busy, reload]);

  if (!shown?.proxy) return null;
  // Each entry's failure shows in its row; the card's notice is for the call itself failing.
  const run = async (image?: string) => {
    await fetchNow.run(image);
    reload();
  };
  const every = shown.intervalMs > 0 ? `every ${formatInterval(shown.intervalMs)}` : 'only when asked';

  return (
    <Card title="Kept-warm images"
      description={<>Upstream images fetched before anyone pulls them, refreshed {every} and never expired while listed (<span className="mono">berth.proxy.warm.images</span>). A failed refresh keeps the cached image.</>}
      actions={shown.entries.length > 0 ? <button type="button" className="btn btn-small" disabled={fetchNow.busy} onClick={() => void run()}>{fetchNow.busy ? 'Fetching…' : 'Fetch all now'}</button> : undefined}>
      <ErrorNotice error={list.error ?? fetchNow.error} />
      {shown.entries.length === 0 ? (
        <p className="muted">No images listed. Add them under berth.proxy.warm.images in config.yml, e.g. library/alpine:3.20.</p>
      ) : (
        <table className="table" aria-label="Kept-warm images">
          <thead>
            <tr><th scope="col">Image</th><th scope="col">Cached</th><th scope="col" className="num">Size</th><th scope="col">Last refresh</th><th scope="col">State</th><th scope="col"><span className="offscreen">Actions</span></th></tr>
          </thead>
          <tbody>
            {shown.entries.map((e) => (
              <tr key={e.image} data-testid={`warm-${e.image}`}>
                <td className="mono">{e.image}{e.platforms.length ? <span className="muted"> ({e.platforms.join(', ')})</span> : null}</td>
                <td className="mono" title={e.digest}>{e.digest ? shortDigest(e.digest) : '—'}</td>
                <td className="num">{e.digest ? formatBytes(e.bytes) : '—'}</td>
                <td>{formatDate(e.lastRefresh)}</td>
                <td data-testid="warm-state">{state(e)}</td>
                <td><button type="button" className="btn btn-small" disabled={fetchNow.busy || e.refreshing} onClick={() => void run(e.image)} aria-label={`Fetch ${e.image} now`}>Fetch now</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function state(e: WarmEntry): string {
  if (e.refreshing) return 'Fetching…';
  if (!e.lastError) return e.digest ? 'Up to date' : 'Not fetched yet';
  const retry = e.lastError.retryAfter ? `; retry after ${formatDate(e.lastError.retryAfter)}` : '';
  return `${REASONS[e.lastError.reason]} (${formatDate(e.lastError.at)}${retry}): ${e.lastError.message}`;
}

function formatInterval(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return minutes >= 1 ? `${minutes} min` : `${Math.round(ms / 1000)} s`;
}
