// Where Berth puts its own files (users, certificates) when the configuration does not say:
// beside the config.yml it manages, so one folder holds everything a registry needs.
import { join } from 'node:path';

export interface FileDefaults {
  htpasswd: string;
  certificate: string;
  key: string;
}

export function fileDefaults(filesDir: string): FileDefaults {
  return {
    htpasswd: join(filesDir, 'htpasswd'),
    certificate: join(filesDir, 'certs', 'server.crt'),
    key: join(filesDir, 'certs', 'server.key'),
  };
}
