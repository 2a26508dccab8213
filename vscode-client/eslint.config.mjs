// ESLint 9 flat config: typescript-eslint's recommended rules (type-aware) over src/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-fixtures/**', 'test-results/**'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        files: ['src/**/*.ts'],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            eqeqeq: 'error',
            curly: ['error', 'multi-line'],
            'no-console': ['error', { allow: ['error'] }],
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/explicit-module-boundary-types': 'error',
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
        },
    },
    {
        // The e2e runner reports on stdout.
        files: ['src/test/e2e/**/*.ts'],
        rules: { 'no-console': 'off' },
    },
    {
        // node:test's describe/it return promises the runner itself awaits.
        files: ['src/test/unit/**/*.ts'],
        rules: { '@typescript-eslint/no-floating-promises': 'off' },
    },
);
