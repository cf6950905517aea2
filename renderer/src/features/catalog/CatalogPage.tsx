// Catalog: repositories → tags → image, with breadcrumbs; archive import and garbage collection
// on the first level.
import { useState } from 'react';
import { href } from '../../lib/router';
import { ArchiveImport } from './ArchiveImport';
import { GcPanel } from './GcPanel';
import { ImageView } from './ImageView';
import { RepositoryList } from './RepositoryList';
import { TagTable } from './TagTable';
import { useRegistryStatus } from '../../api/status';

export function CatalogPage({ repository, reference }: { repository?: string | undefined; reference?: string | undefined }) {
  const { update } = useRegistryStatus();
  // Bumped after an import, so the repository list is read again.
  const [imports, setImports] = useState(0);
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
          <RepositoryList key={imports} />
          <ArchiveImport onImported={() => { setImports((n) => n + 1); update(); }} />
          <GcPanel onCollected={() => update()} />
        </>
      )}
    </div>
  );
}
