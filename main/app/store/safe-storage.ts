// Electron's safeStorage behind SecretSealPort. On Linux, safeStorage falls back to a fixed,
// built-in key ("basic_text") when no keyring is running: that is obfuscation, not encryption,
// so it counts as unavailable and the store keeps plain text in its 0600 file, with a warning.
import type { SafeStorage } from 'electron';
import type { SecretSealPort } from '../ports';

export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;

export function safeStoragePort(safe: SafeStorageLike, platform: NodeJS.Platform): SecretSealPort {
  return {
    available: () => safe.isEncryptionAvailable() && !(platform === 'linux' && ['basic_text', 'unknown'].includes(safe.getSelectedStorageBackend())),
    seal: (plain) => safe.encryptString(plain).toString('base64'),
    open: (sealed) => safe.decryptString(Buffer.from(sealed, 'base64')),
  };
}
