// Lint enforces the direction of imports between layers (see docs/architecture.md):
//   domain  ← pure rules (calendar, password policy, session machine, card answer parsing); no runtime APIs
//   shared  ← the typed contracts (renderer↔main, terminal↔server); pure like domain
//   node    ← main-side services that run in both hosts (Electron main and the plain-Node host)
//   main / preload ← thin Electron glue        host ← thin plain-Node glue
//   renderer ← browser UI; talks to main only through the contract
//   server  ← the central server
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'net', 'http', 'https', 'child_process', 'events', 'stream', 'url', 'util', 'worker_threads'];
const group = (names, message) => ({ group: names, message });

const noRuntime = [
  group(nodeBuiltins, 'pure code: no Node APIs here'),
  group(['electron', 'electron/*'], 'pure code: no Electron here'),
  group(['react', 'react-dom', 'react-dom/*', 'mobx', 'mobx-react-lite', 'dexie'], 'pure code: no UI or storage libraries here'),
  group(['pcsclite', 'better-sqlite3', 'fastify', 'ws', '@fastify/*'], 'pure code: no I/O libraries here'),
];
const layer = (name) => group([`**/${name}/**`, `**/${name}`], `this layer may not import from src/${name}`);

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...noRuntime, layer('shared'), layer('node'), layer('main'), layer('preload'), layer('host'), layer('renderer'), layer('server'), layer('tools')] }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'indexedDB', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...noRuntime, layer('node'), layer('main'), layer('preload'), layer('host'), layer('renderer'), layer('server'), layer('tools')] }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'indexedDB', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['src/node/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [group(['electron', 'electron/*'], 'main-side services must run in plain Node too: keep Electron in src/main'), group(['react', 'react-dom', 'mobx', 'mobx-react-lite', 'dexie'], 'no UI code on the main side'), layer('main'), layer('preload'), layer('host'), layer('renderer'), layer('server'), layer('tools')] }],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer('renderer'), layer('host'), layer('server'), layer('tools'), layer('preload')] }] },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [group(nodeBuiltins, 'the sandboxed preload has no Node APIs'), layer('node'), layer('main'), layer('host'), layer('renderer'), layer('server'), layer('tools'), layer('domain')] }] },
  },
  {
    files: ['src/host/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [group(['electron', 'electron/*'], 'the second host runs without Electron'), layer('main'), layer('preload'), layer('renderer'), layer('server'), layer('tools')] }] },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: [group(nodeBuiltins, 'the renderer is a sandboxed browser page'), group(['electron', 'electron/*'], 'the renderer reaches main only through the contract'), layer('node'), layer('main'), layer('preload'), layer('host'), layer('server'), layer('tools')] }],
    },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [group(['electron', 'electron/*'], 'the central server has no Electron'), layer('main'), layer('preload'), layer('host'), layer('renderer')] }] },
  },
);
