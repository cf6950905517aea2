// Repositories by size, largest first (the core sorts them), with how much of each is shared with
// other repositories: shared blobs are stored once but count in full in every repository using
// them, so the sizes add up to more than what is stored.
import { useState } from 'react';
import type { StorageUsage } from '../../../../preload/contract';
import { formatBytes } from '../../../../preload/contract/format-bytes';
import { Card } from '../../components/Card';
import { plural } from '../../lib/format';
import { href } from '../../lib/router';

const SHOWN = 100;

export function RepositorySizes({ usage }: { usage: StorageUsage }) {
  const [limit, setLimit] = useState(SHOWN);
  const rows = usage.repositories;
  const largest = rows[0]?.bytes ?? 0;

  return (
    <Card title="Repositories by size"
      description="A repository's size is every layer, config and manifest it links. A layer shared by several repositories is stored once but counted in full in each of them (the “shared” column), so the sizes add up to more than what is stored.">
      {rows.length === 0 ? (
        <p className="muted">No repositories yet. Push an image to see it here.</p>
      ) : (
        <table className="table" aria-label="Repositories by size">
          <thead>
            <tr><th scope="col">Repository</th><th scope="col" className="num">Size</th><th scope="col" className="num">Shared</th><th scope="col" className="num">Blobs</th><th scope="col"><span className="offscreen">Share of the largest</span></th></tr>
          </thead>
          <tbody>
            {rows.slice(0, limit).map((r) => (
              <tr key={r.name}>
                <td>
                  <a href={href({ page: 'catalog', repository: r.name })} className="mono">{r.name}</a>
                  {r.cached ? <span className="badge badge-cached" title="Pulled through the proxy from the upstream registry">cached</span> : null}
                </td>
                <td className="num">{formatBytes(r.bytes)}</td>
                <td className="num muted">{r.sharedBytes > 0 ? formatBytes(r.sharedBytes) : '—'}</td>
                <td className="num">{r.blobs.toLocaleString()}</td>
                <td className="bar-cell">
                  <meter min={0} max={Math.max(largest, 1)} value={r.bytes} aria-label={`${r.name}: ${formatBytes(r.bytes)}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.length > limit ? (
        <div className="pager">
          <span className="muted">{plural(limit, 'repository', 'repositories')} of {rows.length.toLocaleString()} shown</span>
          <button type="button" className="btn btn-small" onClick={() => setLimit(limit + SHOWN)}>Show more</button>
        </div>
      ) : null}
    </Card>
  );
}
