import { jestConfig } from '../../jest.shared';

export default jestConfig('notifications', __dirname, { testMatch: ['<rootDir>/src/**/*.spec.ts'] });
