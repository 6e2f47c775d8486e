import { jestConfig } from '../../jest.shared';

export default jestConfig('gateway', __dirname, { testMatch: ['<rootDir>/src/**/*.spec.ts'] });
