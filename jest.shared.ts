import type { Config } from 'jest';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The Jest config every project uses: SWC transform (decorator metadata on, so Nest DI works in tests),
 * node environment, unit specs beside the code and integration/e2e suites under `test/`.
 */
export function jestConfig(displayName: string, projectDir: string, overrides: Config = {}): Config {
  const swcrc = JSON.parse(readFileSync(join(__dirname, '.swcrc'), 'utf8'));
  return {
    displayName,
    // Resolves the tsconfig path aliases (@shop/*) the same way the build does.
    resolver: '@nx/jest/plugins/resolver',
    testEnvironment: 'node',
    modulePathIgnorePatterns: ['<rootDir>/dist/'],
    transform: { '^.+\\.[tj]s$': ['@swc/jest', { ...swcrc, swcrc: false }] },
    // get-port (used lazily by testcontainers) is ESM-only.
    transformIgnorePatterns: ['node_modules/(?!(get-port)/)'],
    setupFiles: [join(__dirname, 'jest.setup.ts')],
    moduleFileExtensions: ['ts', 'js', 'json'],
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    coverageDirectory: join(__dirname, 'coverage', relative(__dirname, projectDir)),
    ...overrides,
  };
}
