// Start at login on Linux through the XDG Autostart specification: where the entry goes, what it
// runs, how the desktop's own "off" (Hidden=true) reads, and the Exec key's quoting rules.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { autostartFile, execArgument, xdgAutostartPort } from '../../../main/app/xdg-autostart';
import { tempDir } from '../../support/cleanup';

const home = await tempDir('berth-autostart-');
after(() => rm(home, { recursive: true, force: true }));

test('the entry lives in $XDG_CONFIG_HOME/autostart, or ~/.config/autostart when it is unset, empty or relative', () => {
  assert.equal(autostartFile({ XDG_CONFIG_HOME: '/cfg' }, '/home/u'), '/cfg/autostart/dev.berth.app.desktop');
  for (const env of [{}, { XDG_CONFIG_HOME: '' }, { XDG_CONFIG_HOME: 'relative/cfg' }]) {
    assert.equal(autostartFile(env, '/home/u'), '/home/u/.config/autostart/dev.berth.app.desktop');
  }
});

test('on: a desktop entry that runs the app hidden; off: gone; the desktop switching it off reads as off', async () => {
  const port = xdgAutostartPort({ env: {}, homedir: home, executable: '/opt/Berth Desktop/berth', args: ['--hidden'] });
  const file = autostartFile({}, home);
  assert.equal(port.getOpenAtLogin(), false);
  port.setOpenAtLogin(true);
  assert.equal(port.getOpenAtLogin(), true);
  const text = await readFile(file, 'utf8');
  assert.match(text, /^\[Desktop Entry\]$/m);
  assert.match(text, /^Type=Application$/m);
  assert.match(text, /^Exec="\/opt\/Berth Desktop\/berth" --hidden$/m);
  await writeFile(file, `${text}Hidden=true\n`);
  assert.equal(port.getOpenAtLogin(), false, 'Hidden=true is how desktops turn an entry off');
  port.setOpenAtLogin(true);
  assert.equal(port.getOpenAtLogin(), true, 'turning it on again rewrites the entry');
  port.setOpenAtLogin(false);
  assert.equal(port.getOpenAtLogin(), false);
  port.setOpenAtLogin(false); // already off: nothing to remove, no error
});

test('Exec arguments: reserved characters quoted, ", `, $ and \\ escaped, % doubled, backslashes escaped again as strings', () => {
  assert.equal(execArgument('/usr/bin/berth'), '/usr/bin/berth');
  assert.equal(execArgument('--hidden'), '--hidden');
  assert.equal(execArgument('/a b/c'), '"/a b/c"');
  assert.equal(execArgument('50%'), '50%%');
  assert.equal(execArgument('a"b'), '"a\\\\"b"');
  assert.equal(execArgument('$HOME'), '"\\\\$HOME"');
  assert.equal(execArgument('C:\\x'), '"C:\\\\\\\\x"');
});
