// The save dialog behind exports in the desktop app: what it offers (the name the core suggests,
// in the Downloads folder, as a .tar) and what it hands the core back (the chosen path; nothing
// when cancelled; never a path the dialog could not have shown).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { SaveDialogPort } from '../../../main/app/ports';
import { saveFilePort } from '../../../main/app/save-file';

function dialogAnswering(answer: { canceled: boolean; filePath: string }) {
  const shown: Array<Parameters<SaveDialogPort['showSaveDialog']>[0]> = [];
  const dialog: SaveDialogPort = {
    showSaveDialog: async (options) => {
      shown.push(options);
      return answer;
    },
  };
  return { dialog, shown };
}

test('offers the suggested name in Downloads as a .tar, and returns the path chosen', async () => {
  const { dialog, shown } = dialogAnswering({ canceled: false, filePath: '/home/u/elsewhere/mine.tar' });
  const path = await saveFilePort(dialog, () => '/home/u/Downloads').choosePath({ defaultName: 'berth-export-2026-12-06.tar' });
  assert.equal(path, '/home/u/elsewhere/mine.tar');
  assert.equal(shown.length, 1);
  assert.equal(shown[0]!.defaultPath, join('/home/u/Downloads', 'berth-export-2026-12-06.tar'));
  assert.deepEqual(shown[0]!.filters.flatMap((f) => f.extensions), ['tar']);
});

test('a cancelled dialog chooses nothing', async () => {
  const { dialog } = dialogAnswering({ canceled: true, filePath: '' });
  assert.equal(await saveFilePort(dialog, () => '/d').choosePath({ defaultName: 'x.tar' }), undefined);
});

test('an answer that is not an absolute path is refused', async () => {
  const { dialog } = dialogAnswering({ canceled: false, filePath: 'relative.tar' });
  await assert.rejects(saveFilePort(dialog, () => '/d').choosePath({ defaultName: 'x.tar' }), /not an absolute path/);
});
