// The tags of one repository from a single catalog.tags call (digest, size, created, cached come
// with it: no manifest fetch per tag). Sorted by the core; filtered and shown 100 at a time here.
import { useMemo, useState } from 'react';
import type { TagRow } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction, useCall } from '../../api/hooks';
import { Card, Loading } from '../../components/Card';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { formatBytes } from '../../../../preload/contract/format-bytes';
import { formatDate, shortDigest } from '../../lib/format';
import { ErrorNotice, Notice } from '../../components/Notice';
import { href, navigate } from '../../lib/router';
import { ArchiveExport } from './ArchiveExport';

const SHOWN = 100;

export function isIndex(mediaType: string): boolean {
  return mediaType.includes('manifest.list') || mediaType.includes('image.index');
}

export function TagTable({ repository }: { repository: string }) {
  const [sort, setSort] = useState<'name' | 'date'>('name');
  const [filter, setFilter] = useState('');
  const [limit, setLimit] = useState(SHOWN);
  const [deleting, setDeleting] = useState<TagRow>();
  const [deletingRepo, setDeletingRepo] = useState(false);
  const [message, setMessage] = useState<string>();
  // Deleted tags disappear at once, before the refetched list arrives.
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  // Tags ticked for export.
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const tags = useCall('catalog.tags', { repository, sort });

  const removeTag = useAction(async (tag: string) => {
    await invoke('catalog.deleteTag', { repository, tag });
    setDeleting(undefined);
    setRemoved((set) => new Set([...set, tag]));
    setMessage(`Deleted the tag ${tag}.`);
    tags.reload();
  });
  const removeRepo = useAction(async () => {
    await invoke('catalog.deleteRepository', { repository });
    navigate({ page: 'catalog' });
  });

  const shown = useMemo(() => (tags.data ?? []).filter((t) => !removed.has(t.tag) && t.tag.includes(filter.trim())), [tags.data, filter, removed]);
  const siblings = deleting ? (tags.data ?? []).filter((t) => t.digest === deleting.digest && t.tag !== deleting.tag).map((t) => t.tag) : [];

  return (
    <Card
      title={repository}
      description={tags.data ? `${tags.data.length.toLocaleString()} tags` : undefined}
      actions={<button type="button" className="btn btn-danger-quiet" onClick={() => { removeRepo.reset(); setDeletingRepo(true); }}>Delete repository…</button>}
    >
      <div className="toolbar">
        <input type="search" className="search" placeholder="Filter tags" aria-label="Filter tags" value={filter} onChange={(e) => { setFilter(e.target.value); setLimit(SHOWN); }} />
        <div className="segmented" role="group" aria-label="Sort tags">
          <button type="button" aria-pressed={sort === 'name'} onClick={() => setSort('name')}>By name</button>
          <button type="button" aria-pressed={sort === 'date'} onClick={() => setSort('date')}>Newest first</button>
        </div>
        <ArchiveExport refs={[...chosen].filter((t) => !removed.has(t)).map((t) => `${repository}:${t}`)} fileName={`${repository.replaceAll('/', '_')}.tar`} noun="tag" />
      </div>
      {message ? <Notice kind="success">{message}</Notice> : null}
      <ErrorNotice error={tags.error} />
      {!tags.data ? (
        tags.error ? null : <Loading what="tags" />
      ) : shown.length === 0 ? (
        <p className="muted">{tags.data.length === 0 ? 'This repository has no tags.' : 'No tag matches the filter.'}</p>
      ) : (
        <table className="table tags">
          <thead>
            <tr><th><span className="visually-hidden">Export</span></th><th>Tag</th><th>Digest</th><th>Kind</th><th>Created</th><th className="num">Size</th><th><span className="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {shown.slice(0, limit).map((t) => (
              <tr key={t.tag}>
                <td>
                  <input type="checkbox" aria-label={`Choose ${t.tag} for export`} checked={chosen.has(t.tag)}
                    onChange={(e) => setChosen((set) => { const next = new Set(set); if (e.target.checked) next.add(t.tag); else next.delete(t.tag); return next; })} />
                </td>
                <td>
                  <a href={href({ page: 'catalog', repository, reference: t.tag })} className="mono">{t.tag}</a>
                  {t.cached ? <span className="badge badge-cached">cached</span> : null}
                </td>
                <td className="mono muted" title={t.digest}>{shortDigest(t.digest)}</td>
                <td>{isIndex(t.mediaType) ? 'multi-platform' : 'image'}</td>
                <td>{formatDate(t.created)}</td>
                <td className="num">{formatBytes(t.size)}</td>
                <td className="row-actions">
                  <button type="button" className="btn btn-small btn-danger-quiet" aria-label={`Delete tag ${t.tag}`} onClick={() => { removeTag.reset(); setDeleting(t); }}>Delete tag</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown.length > limit ? (
        <button type="button" className="btn btn-small" onClick={() => setLimit(limit + SHOWN)}>Show {Math.min(SHOWN, shown.length - limit)} more of {shown.length - limit}</button>
      ) : null}
      {deleting ? (
        <ConfirmDialog title={`Delete the tag ${deleting.tag}?`} confirmLabel="Delete tag" busy={removeTag.busy} error={removeTag.error?.message}
          onConfirm={() => void removeTag.run(deleting.tag)} onCancel={() => setDeleting(undefined)}>
          <p>Only the tag <strong>{repository}:{deleting.tag}</strong> is removed.</p>
          <p>
            {siblings.length > 0
              ? <>The image ({shortDigest(deleting.digest)}) stays, with its other tags: {siblings.join(', ')}.</>
              : <>The image ({shortDigest(deleting.digest)}) stays, reachable by digest, until garbage collection removes untagged manifests.</>}
          </p>
        </ConfirmDialog>
      ) : null}
      {deletingRepo ? (
        <ConfirmDialog title={`Delete the repository ${repository}?`} confirmLabel="Delete repository" typeToConfirm={repository} busy={removeRepo.busy} error={removeRepo.error?.message}
          onConfirm={() => void removeRepo.run()} onCancel={() => setDeletingRepo(false)}>
          <p>Every tag and manifest of <strong>{repository}</strong> goes{tags.data ? ` (${tags.data.length} tags)` : ''}. Layers shared with other repositories stay; run garbage collection to free the rest.</p>
        </ConfirmDialog>
      ) : null}
    </Card>
  );
}
