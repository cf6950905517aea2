// Catalog: repositories → tags → image, with breadcrumbs; garbage collection on the first level.
import { href } from '../../lib/router';
import { GcPanel } from './GcPanel';
import { ImageView } from './ImageView';
import { RepositoryList } from './RepositoryList';
import { TagTable } from './TagTable';
import { useRegistryStatus } from '../../api/status';

export function CatalogPage({ repository, reference }: { repository?: string | undefined; reference?: string | undefined }) {
  const { update } = useRegistryStatus();
  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href={href({ page: 'catalog' })}>Catalog</a>
        {repository ? (<><span aria-hidden="true">›</span><a href={href({ page: 'catalog', repository })}>{repository}</a></>) : null}
        {repository && reference ? (<><span aria-hidden="true">›</span><span>{reference.startsWith('sha256:') ? reference.slice(0, 19) : reference}</span></>) : null}
      </nav>
      <h1>Catalog</h1>
      {repository && reference ? (
        <ImageView key={`${repository}@${reference}`} repository={repository} reference={reference} />
      ) : repository ? (
        <TagTable key={repository} repository={repository} />
      ) : (
        <>
          <RepositoryList />
          <GcPanel onCollected={() => update()} />
        </>
      )}
    </div>
  );
}
