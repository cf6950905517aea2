// Counts from registry.overview: repositories, tags, storage used, proxy cache hit rate.
import type { RegistryOverview } from '../../../../preload/contract';
import { Card } from '../../components/Card';
import { formatBytes } from '../../../../preload/contract/format-bytes';

function hitRate(overview: RegistryOverview): string {
  const proxy = overview.proxy;
  const on = overview.status.status === 'running' ? overview.status.proxy : !!proxy?.enabled;
  if (!on) return 'Proxy off';
  if (!proxy) return 'Not reported';
  const total = proxy.hits + proxy.misses;
  return total === 0 ? 'No pulls yet' : `${Math.round((proxy.hits / total) * 100)}% (${proxy.hits} of ${total})`;
}

export function StatsCard({ overview }: { overview: RegistryOverview | undefined }) {
  const stats: Array<[string, string]> = [
    ['Repositories', overview ? overview.repositories.toLocaleString() : '—'],
    ['Tags', overview ? overview.tags.toLocaleString() : '—'],
    ['Storage used', formatBytes(overview?.storageBytes)],
    ['Proxy cache hit rate', overview ? hitRate(overview) : '—'],
  ];
  return (
    <Card title="Contents">
      <dl className="stats">
        {stats.map(([label, value]) => (
          <div key={label} className="stat">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}
