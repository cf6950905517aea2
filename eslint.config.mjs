// Lint, mostly to hold the layer boundaries of docs/architecture.md.
// Do not relax the import rules below without changing the architecture notes first.
import tseslint from 'typescript-eslint';

const CORE = ['main/**/*.ts'];
const ELECTRON_GLUE = ['main/app/**', 'main/index.ts'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tsbuild/**', 'bench/results/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // The core runs under plain Node (berth serve); only the Electron glue may import electron.
    files: CORE,
    ignores: ELECTRON_GLUE,
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The core must run under plain Node: only main/app/** may import electron.' }],
        patterns: [
          { group: ['**/app/**', '**/renderer/**'], message: 'The core must not depend on the Electron glue or the renderer.' },
        ],
      }],
    },
  },
  {
    // The registry, users, certs and config do not reach up into the runtime or the entries.
    files: ['main/registry/**/*.ts', 'main/config/**/*.ts', 'main/lib/**/*.ts', 'main/users/**/*.ts', 'main/certs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The core must run under plain Node.' }],
        patterns: [{ group: ['**/runtime/**', '**/headless/**', '**/app/**', '**/renderer/**'], message: 'Lower layers must not import the runtime or the entry points.' }],
      }],
    },
  },
  {
    // The control contract is types and constants only, shared by every face.
    files: ['preload/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./)', message: 'preload/contract imports nothing but its own files.' }] }],
    },
  },
  {
    // The renderer is sandboxed: no electron, no Node built-ins, nothing from main/.
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'node:*'], message: 'The renderer is sandboxed; talk to main through the control API.' },
          { group: ['**/main/**'], message: 'The renderer reaches main only through preload/contract.' },
        ],
      }],
    },
  },
  {
    files: ['**/*.mjs', 'bin/**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
