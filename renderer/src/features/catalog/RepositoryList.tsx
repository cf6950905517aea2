// Repositories, filtered and paged by the core (catalog.repositories), so 10,000 repositories
// cost one small request per page; typing in the filter waits for a pause before asking. Ticked
// repositories are exported whole (every tag), as `berth export NAME` does.
import { useState } from 'react';
import { useCall, useDebounced } from '../../api/hooks';
import { useRegistryStatus } from '../../api/status';
import { Card, Loading } from '../../components/Card';
import { ErrorNotice } from '../../components/Notice';
import { href } from '../../lib/router';
import { ArchiveExport } from './ArchiveExport';

const PAGE = 50;

export function RepositoryList() {
  const [filter, setFilter] = useState('');
  const [offset, setOffset] = useState(0);
  // Ticked for export; kept across pages and filters.
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const query = useDebounced(filter.trim(), 250);
  const { revision } = useRegistryStatus();
  const page = useCall('catalog.repositories', { ...(query ? { filter: query } : {}), offset, limit: PAGE }, { refreshKey: revision });
  const total = page.data?.total ?? 0;

  return (
    <Card title="Repositories" description={page.data ? `${total.toLocaleString()} ${query ? 'matching' : 'in total'}` : undefined}>
      <div className="toolbar">
        <input type="search" className="search" placeholder="Filter repositories" aria-label="Filter repositories" value={filter}
          onChange={(e) => { setFilter(e.target.value); setOffset(0); }} spellCheck={false} />
        <ArchiveExport refs={[...chosen]} fileName={chosen.size === 1 ? `${[...chosen][0]!.replaceAll('/', '_')}.tar` : 'berth-export.tar'} noun="repository" />
      </div>
      {page.error ? <ErrorNotice error={page.error} /> : null}
      {!page.data ? (
        page.error ? null : <Loading what="repositories" />
      ) : page.data.items.length === 0 ? (
        <p className="muted">{query ? `No repository matches “${query}”.` : 'No repositories yet. Push an image to see it here.'}</p>
      ) : (
        <ul className={page.loading ? 'repo-list stale' : 'repo-list'} aria-label="Repository list">
          {page.data.items.map((r) => (
            <li key={r.name}>
              <input type="checkbox" aria-label={`Choose ${r.name} for export`} checked={chosen.has(r.name)}
                onChange={(e) => setChosen((set) => { const next = new Set(set); if (e.target.checked) next.add(r.name); else next.delete(r.name); return next; })} />
              <a href={href({ page: 'catalog', repository: r.name })}>
                <span className="mono">{r.name}</span>
                {r.cached ? <span className="badge badge-cached" title="Pulled through the proxy from the upstream registry">cached</span> : null}
              </a>
            </li>
          ))}
        </ul>
      )}
      {total > PAGE ? (
        <div className="pager">
          <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
          <span className="muted">{offset + 1}–{Math.min(offset + PAGE, total)} of {total.toLocaleString()}</span>
          <button type="button" className="btn btn-small" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>Next</button>
        </div>
      ) : null}
    </Card>
  );
}
