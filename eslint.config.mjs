// Lint: `npm run lint` (CI runs it). TypeScript files get the type-checked rules of typescript-eslint against the same
// program `npm run typecheck` checks (tsconfig.base.json); the few plain JavaScript entry points get ESLint's
// recommended rules. Formatting is prettier's (`npm run format`): eslint-config-prettier turns off the rules it owns.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// `const { dropped, ...rest } = x` is how the code leaves a key out of a copy: the rest sibling is the point.
const unusedIgnoringUnderscore = {
  argsIgnorePattern: '^_',
  varsIgnorePattern: '^_',
  caughtErrorsIgnorePattern: '^_',
  destructuredArrayIgnorePattern: '^_',
  ignoreRestSiblings: true,
};

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    'dist/',
    '.nx/',
    '.data/',
    'tmp/',
    // written by `npm run build:wasm` (tools/wasm/build.ts)
    'packages/core/src/train/wasm/kernels.generated.ts',
  ]),

  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { 'no-unused-vars': ['error', unusedIgnoringUnderscore] },
  },
  {
    files: ['**/*.mjs', '**/*.mts'],
    extends: [js.configs.recommended],
  },

  {
    files: ['packages/**/*.ts', 'tools/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // tsconfig.json includes no files (editors and tsc use tsconfig.base.json): name the program explicitly.
        project: './tsconfig.base.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Regexes over experiment YAML match its two-space indentation literally (/search:\n(  .*\n)+/); / {2}/ reads worse.
      'no-regex-spaces': 'off',
      '@typescript-eslint/no-unused-vars': ['error', unusedIgnoringUnderscore],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // Loaded on demand by require(): tfjs-node is optional and falls back to tfjs; @swc/core only when worker threads start.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^@tensorflow/tfjs(-node)?$', '^@swc/core$'] }],
    },
  },
  {
    // The benchmark loads the sources of the revisions it compares by path, from their own checkouts: require() of a path.
    files: ['tools/bench/train.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests parse JSON (stage outputs, CLI output, Nx's task hashes) and check the untyped result with expect(): the
    // no-unsafe-* rules fire on nearly every such line (~400), and a typed parse would add casts, not checks. The
    // library, the plugin and the tools keep them.
    files: ['**/*.test.ts', '**/e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },

  prettier,
);
