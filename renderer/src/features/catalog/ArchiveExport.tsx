// "Export": the chosen tags or repositories written by the core into one archive (as `berth
// export`; `docker load -i` and OCI tools read it). The desktop app saves it where the user says
// in its save dialog, the core writing the file with a progress bar here; the console fetches it
// in chunks with a progress bar and saves it as a download. Which one is what the core offers
// (archives.savesToFile).
import { useState } from 'react';
import { useAction, useCall } from '../../api/hooks';
import { ErrorNotice, Notice } from '../../components/Notice';
import { formatBytes } from '../../../../preload/contract/format-bytes';
import { plural } from '../../lib/format';
import { downloadBlob } from '../../lib/download';
import { downloadArchive, saveArchive } from './archive-transfer';

interface Shown { verb: 'Writing' | 'Downloading'; done: number; total: number; images?: string }

export function ArchiveExport({ refs, fileName, noun }: { refs: string[]; fileName: string; noun: 'tag' | 'repository' }) {
  const savesToFile = useCall('archives.savesToFile', {});
  const [progress, setProgress] = useState<Shown>();
  const exp = useAction(async () => {
    try {
      if (savesToFile.data === true) {
        const saved = await saveArchive(refs, (p) => setProgress({
          verb: 'Writing', done: p.bytesDone, total: p.bytesTotal, images: `${p.imagesDone} of ${plural(p.imagesTotal, 'image')}`,
        }));
        // Cancelled in the dialog: nothing was written, and there is nothing to say.
        return saved ? { images: saved.images.length, bytes: saved.bytes, where: saved.path } : undefined;
      }
      const { blob, archive } = await downloadArchive(refs, (done, total) => setProgress({ verb: 'Downloading', done, total }));
      downloadBlob(fileName, blob);
      return { images: archive.images.length, bytes: archive.bytes, where: fileName };
    } finally {
      setProgress(undefined);
    }
  });
  const count = noun === 'tag' ? plural(refs.length, 'tag') : plural(refs.length, 'repository', 'repositories');
  return (
    <div className="archive-export">
      <button type="button" className="btn" disabled={refs.length === 0 || exp.busy || savesToFile.loading} onClick={() => void exp.run()}>
        Export{refs.length > 0 ? ` ${count}` : ''}
      </button>
      {progress ? (
        <>
          {' '}<label htmlFor="archive-export-progress">{progress.verb} {formatBytes(progress.done)} of {formatBytes(progress.total)}{progress.images ? ` (${progress.images})` : ''}</label>{' '}
          <progress id="archive-export-progress" max={progress.total} value={progress.done} />
        </>
      ) : exp.busy ? <span className="muted"> {savesToFile.data === true ? 'Exporting…' : 'Writing the archive…'}</span> : null}
      <ErrorNotice error={exp.error} />
      {exp.result ? <Notice kind="success">Exported {plural(exp.result.images, 'image')} ({formatBytes(exp.result.bytes)}) to {exp.result.where}.</Notice> : null}
    </div>
  );
}
