import { jestConfig } from '../../jest.shared';

export default jestConfig('cache', __dirname, { testTimeout: 120000 });
