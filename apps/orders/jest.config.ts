import { jestConfig } from '../../jest.shared';

export default jestConfig('orders', __dirname, { testMatch: ['<rootDir>/src/**/*.spec.ts'] });
