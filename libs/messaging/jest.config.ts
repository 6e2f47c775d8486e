import { jestConfig } from '../../jest.shared';

export default jestConfig('messaging', __dirname, { testTimeout: 120000 });
