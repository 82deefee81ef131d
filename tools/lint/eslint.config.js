// The project's eslint setup. It lives in its own workspace package because typescript-eslint
// needs TypeScript's JavaScript compiler API, which the project's TypeScript 7 (the native
// compiler) does not have: this package brings TypeScript 6 for eslint alone, while `tsc`
// stays the project's TypeScript 7. The root eslint.config.js re-exports this file.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = new URL('../../', import.meta.url).pathname;

export default defineConfig(
  { ignores: ['node_modules/', 'tools/lint/node_modules/', 'var/', 'data/', 'runs/', 'models/', 'docs/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      // With noUncheckedIndexedAccess every index is `T | undefined`; the code asserts (`!` or
      // `as T`) where a loop bound or a length check guarantees the element (about 900 places).
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
      // Numbers in messages ("${width}×${height} pixels") are the common case; what the rule
      // exists for (undefined, objects, nullish values in a text) stays an error.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // node:test's describe/it return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] }],
      // `(err) => logger.warn(…)` as a callback, and `return stop()` in a void function, are the
      // project's style.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // Methods that implement a Promise-returning interface are async so that a throw becomes a
      // rejection, with or without an await in them.
      '@typescript-eslint/require-await': 'off',
      // Its "type arguments may be inferred from the assertion" check flags every
      // `tf.randomUniform(…) as tf.Tensor4D` (about 120 tfjs calls), asking for
      // `tf.randomUniform<Rank.R4>(…)` instead; the plainly unnecessary assertions were removed.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // tfjs hands out base-class types for what are subclass instances (`LayerVariable.read()`
      // is a tf.Variable typed as a Tensor); asserting the class is how tfjs code reads them.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // Node's fs and child_process promises reject with NodeJS.ErrnoException; the callbacks say
      // so in their parameter type (`.catch((err: NodeJS.ErrnoException) => …)`) rather than cast.
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
      // `() => {}` is how the code says "nothing to do" (a listener that only silences, a no-op dispose).
      '@typescript-eslint/no-empty-function': ['error', { allow: ['arrowFunctions'] }],
      // `||` on a string or boolean means "empty or false counts as absent", on purpose.
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true, boolean: true } }],
      // As tsc's noUnusedParameters: a leading underscore marks a parameter kept for its position.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The web pages' own scripts: plain browser JavaScript, outside the TypeScript project.
    files: ['bot/web/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['eslint.config.js', 'tools/**/*.js'],
    languageOptions: { globals: globals.node },
  },
);
