// Lint, mostly to hold the layer boundaries of docs/architecture.md.
// Do not relax the import rules below without changing the architecture notes first.
import tseslint from 'typescript-eslint';

// The layer table of docs/architecture.md ("Layers and what may import what"), one row per
// folder under main/: the other main/ folders it may import and the npm packages it may use.
// Every file under main/ may import Node built-ins (node:*), its own folder and preload/contract
// (types and constants shared by every face, importing nothing itself). Anything else is an error.
const CORE_FOLDERS = ['lib', 'config', 'users', 'certs', 'docker-setup', 'settings', 'registry', 'archive', 'runtime', 'control', 'console', 'headless'];
const LAYERS = {
  lib: { folders: [], packages: [] },
  config: { folders: ['lib'], packages: ['yaml', 'zod'] },
  users: { folders: ['lib', 'config'], packages: ['bcryptjs'] },
  certs: { folders: ['lib'], packages: [] },
  'docker-setup': { folders: ['lib'], packages: ['diff', '@vscode/sudo-prompt'] },
  settings: { folders: ['lib', 'config'], packages: ['yaml', 'zod'] },
  registry: { folders: ['lib', 'config', 'users'], packages: ['prom-client'] },
  archive: { folders: ['lib', 'config', 'registry'], packages: ['tar-stream'] },
  runtime: { folders: ['lib', 'config', 'registry'], packages: [] },
  control: { folders: ['lib', 'config', 'users', 'certs', 'docker-setup', 'settings', 'registry', 'runtime', 'archive'], packages: ['yaml', 'zod'] },
  console: { folders: ['lib', 'control'], packages: [] },
  headless: { folders: CORE_FOLDERS.filter((f) => f !== 'headless'), packages: [] },
  app: { folders: ['lib', 'config', 'settings', 'runtime', 'control'], packages: ['electron', 'electron-store', 'yaml'] },
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** no-restricted-imports for one row: other main/ folders not listed, and packages not listed. */
function layerRule(folder, { folders, packages }) {
  const others = [...CORE_FOLDERS, 'app'].filter((f) => f !== folder && !folders.includes(f));
  const allowed = ['node:', ...packages.map((p) => `${escape(p)}(?:/|$)`)].join('|');
  return ['error', {
    patterns: [
      {
        // ../ (any depth) into a main/ folder this one may not import.
        regex: `^(?:\\.\\./)+(?:${others.map(escape).join('|')})(?:/|$)`,
        message: `main/${folder} may import ${folders.length ? `only ${folders.map((f) => `main/${f}`).join(', ')}` : 'no other main/ folder'} (docs/architecture.md, layer table).`,
      },
      { regex: '^(?:\\.\\./)+(?:renderer|preload/(?!contract(?:/|$)))', message: 'main/ reaches the renderer only through preload/contract.' },
      {
        regex: `^(?!\\.|${allowed})`,
        message: `main/${folder} may use only these packages: ${packages.length ? packages.join(', ') : 'none'} (and node:*); see docs/architecture.md, layer table.`,
      },
    ],
  }];
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tsbuild/**', 'bench/results/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      // `import { z } from 'zod'` makes the bundler keep all of zod, its 40-odd locales included
      // (≈ 0.6 MB more source that V8 holds for the life of the process); a namespace import
      // lets it drop what is unused.
      'no-restricted-syntax': ['error', {
        selector: "ImportDeclaration[source.value=/^zod/][importKind!='type'] > ImportSpecifier",
        message: "Import zod as a namespace: import * as z from 'zod'.",
      }],
    },
  },
  ...Object.entries(LAYERS).map(([folder, row]) => ({
    files: [`main/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': layerRule(folder, row) },
  })),
  // The AWS SDK, the Redis client and node-forge enter through one module each, which builds put
  // in bundles of their own (scripts/lazy-bundles.mjs).
  ...[
    ['registry', 'main/registry/storage/driver/s3-sdk.ts', '@aws-sdk/client-s3'],
    ['registry', 'main/registry/storage/redis-sdk.ts', 'ioredis'],
    ['certs', 'main/certs/forge-lib.ts', 'node-forge'],
  ].map(([folder, file, pkg]) => ({
    files: [file],
    rules: { 'no-restricted-imports': layerRule(folder, { ...LAYERS[folder], packages: [...LAYERS[folder].packages, pkg] }) },
  })),
  {
    // The Electron entry only starts the app.
    files: ['main/index.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./app/)', message: 'main/index.ts imports main/app only.' }] }],
    },
  },
  {
    // The preload script bridges the contract over Electron IPC and nothing else.
    files: ['preload/index.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./contract(?:/|$)|electron$)', message: 'preload/index.ts imports preload/contract and electron only.' }] }],
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
          { regex: '^(?:\\.\\./)+(?:main(?:/|$)|preload/(?!contract(?:/|$)))', message: 'The renderer reaches main only through preload/contract.' },
          { regex: '^(?!\\.|react(?:-dom)?(?:/|$))', message: 'The renderer uses only react and react-dom (docs/architecture.md, layer table).' },
        ],
      }],
    },
  },
  {
    files: ['**/*.mjs', 'bin/**/*.cjs', 'scripts/**/*.cjs', 'test/support/electron-stand-in/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
