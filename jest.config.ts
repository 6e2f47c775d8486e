import { getJestProjectsAsync } from '@nx/jest';
import type { Config } from 'jest';

/** Runs every project's suites in one Jest process (the `npm test` entry point). */
export default async (): Promise<Config> => ({
  projects: await getJestProjectsAsync(),
});
