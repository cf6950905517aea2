// `berth` on the command line. This file (and serve.ts) are the only places in the core that
// read argv, install signal handlers or choose an exit code.
import { parseArgs } from 'node:util';
import { runCerts, CERTS_USAGE } from './certs-command';
import { runServe } from './serve';
import { runUsers, USERS_USAGE } from './users-command';
import { VERSION } from './version';

const USAGE = `Berth ${VERSION} — a container image registry

Usage:
  berth serve [--config FILE]   Run the registry headless. Without --config, serves the embedded
                                default: filesystem storage in the data folder, port 5000.
  berth users …                 Manage htpasswd users and their roles (berth users help).
  berth certs …                 Create or show the TLS certificates (berth certs help).
  berth version                 Print the version.
  berth help                    Show this help.

Environment:
  BERTH_DATA_DIR                Data folder for the embedded default.
  REGISTRY_*                    distribution-style overrides of config keys (REGISTRY_HTTP_ADDR=…).
  REGISTRY_CONFIGURATION_PATH   Config file to use when --config is not given.
`;

export const HELP = () => USAGE + '\n' + USERS_USAGE + '\n' + CERTS_USAGE;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } }, allowPositionals: false, strict: true });
      return runServe({ configPath: values.config ?? process.env.REGISTRY_CONFIGURATION_PATH });
    }
    case 'users':
      return runUsers(rest);
    case 'certs':
      return runCerts(rest);
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

main(process.argv.slice(2)).then(
  (code) => { if (code !== 0 || !process.exitCode) process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
