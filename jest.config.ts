import type { Config } from 'jest';

/** `npm test` runs every project's unit, integration and e2e suites in one Jest process. */
const config: Config = {
  // testTimeout is a global option: the projects' own values apply only when a project runs alone.
  testTimeout: 120_000,
  projects: [
    '<rootDir>/libs/*/jest.config.ts',
    '<rootDir>/apps/*/jest.config.ts',
    '<rootDir>/apps/*/jest.e2e.config.ts',
    '<rootDir>/tools/*/jest.config.ts',
  ],
};

export default config;
