// `berth` on the command line. This file (and serve.ts) are the only places in the core that
// read argv, install signal handlers or choose an exit code.
import { parseArgs } from 'node:util';
import { runCerts, CERTS_USAGE } from './certs-command';
import { EXPORT_USAGE, runExport } from './export-command';
import { IMPORT_USAGE, runImport } from './import-command';
import { MAINTENANCE_USAGE, runFsck, runGc } from './maintenance-commands';
import { DEFAULT_CONSOLE_ADDR, parseConsoleAddress } from './console-mode';
import { runServe } from './serve';
import { runSync, SYNC_USAGE } from './sync-command';
import { runUsers, USERS_USAGE } from './users-command';
import { VERSION } from './version';

const USAGE = `Berth ${VERSION} — a container image registry

Usage:
  berth serve [--config FILE]   Run the registry headless. Without --config, serves
                                <data folder>/config.yml if it exists, else the embedded default:
                                filesystem storage in the data folder, 127.0.0.1:5000 (this
                                computer only; REGISTRY_HTTP_ADDR=:5000 shares it).
      --console [ADDR]          Also serve the web console (the desktop app's UI) and its API on
                                ADDR (default ${DEFAULT_CONSOLE_ADDR}); prints the address with its
                                access token once. Loopback only, unless --console-public.
  berth users …                 Manage htpasswd users and their roles (berth users help).
  berth certs …                 Create or show the TLS certificates (berth certs help).
  berth gc [--config FILE]      Garbage-collect unreferenced blobs (online when Berth serves it).
  berth fsck [--config FILE]    Check the store (links, tags, blob digests); --repair fixes links.
  berth export REF... -o FILE.tar  Write images (name:tag, name@digest, name) to an archive for
                                docker load and OCI tools (skopeo oci-archive:).
  berth import FILE|DIR [--as NAME[:TAG]]  Import a docker save archive, an OCI layout or a
                                Berth export (online when Berth serves it).
  berth sync [--now]            A proxy's kept-warm images and their state; --now refreshes them.
                                users, gc, fsck, certs, export and import use the config serve would use.
  berth version                 Print the version.
  berth help                    Show this help.

Environment:
  BERTH_DATA_DIR                Data folder: the embedded default's storage and the maintenance
                                socket (give serve and the other commands the same one).
  REGISTRY_*                    distribution-style overrides of config keys (REGISTRY_HTTP_ADDR=…).
  REGISTRY_CONFIGURATION_PATH   Config file to use when --config is not given (every command).
`;

export const HELP = () => USAGE + '\n' + USERS_USAGE + '\n' + CERTS_USAGE + '\n' + MAINTENANCE_USAGE + '\n' + EXPORT_USAGE + '\n' + IMPORT_USAGE + '\n' + SYNC_USAGE;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { args, consoleAddr } = takeConsoleFlag(rest);
      const { values } = parseArgs({
        args, allowPositionals: false, strict: true,
        options: { config: { type: 'string', short: 'c' }, 'console-public': { type: 'boolean' } },
      });
      if (values['console-public'] && consoleAddr === undefined) throw new Error('--console-public goes with --console');
      return runServe({
        configPath: values.config,
        ...(consoleAddr !== undefined ? { console: parseConsoleAddress(consoleAddr, values['console-public'] ?? false) } : {}),
      });
    }
    case 'users':
      return runUsers(rest);
    case 'certs':
      return runCerts(rest);
    case 'gc':
      return runGc(rest);
    case 'fsck':
      return runFsck(rest);
    case 'export':
      return runExport(rest);
    case 'import':
      return runImport(rest);
    case 'sync':
      return runSync(rest);
    case 'version':
    case '--version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP());
      return 0;
    default:
      process.stderr.write(`berth: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

/** `--console` takes an optional value, which node:util's parseArgs cannot express. */
function takeConsoleFlag(args: string[]): { args: string[]; consoleAddr: string | undefined } {
  const out: string[] = [];
  let consoleAddr: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--console=')) consoleAddr = a.slice('--console='.length);
    else if (a === '--console') {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        consoleAddr = next;
        i++;
      } else consoleAddr = DEFAULT_CONSOLE_ADDR;
    } else out.push(a);
  }
  return { args: out, consoleAddr };
}

main(process.argv.slice(2)).then(
  (code) => { if (code !== 0 || !process.exitCode) process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
