import { jestConfig } from '../../jest.shared';

/** End-to-end: the built service as separate processes against a real Redis and database. */
export default jestConfig('gateway-e2e', __dirname, {
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 120_000,
});
