// Where the desktop app saves an export: the path the user picks in the save dialog, offered
// in their Downloads folder as a .tar. The core writes there itself (control/archives.ts), so
// the window only ever learns the path afterwards and can never name one.
import { isAbsolute, join } from 'node:path';
import type { SaveFilePort } from '../control/types';
import type { SaveDialogPort } from './ports';

export function saveFilePort(dialog: SaveDialogPort, downloadsDir: () => string): SaveFilePort {
  return {
    async choosePath({ defaultName }) {
      const r = await dialog.showSaveDialog({
        title: 'Export images',
        defaultPath: join(downloadsDir(), defaultName),
        buttonLabel: 'Export',
        filters: [{ name: 'Image archive (docker load, OCI)', extensions: ['tar'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      });
      if (r.canceled || r.filePath === '') return undefined;
      // A dialog answers with an absolute path; anything else is not a place the user saw.
      if (!isAbsolute(r.filePath)) throw new Error(`the save dialog answered ${JSON.stringify(r.filePath)}, which is not an absolute path`);
      return r.filePath;
    },
  };
}
