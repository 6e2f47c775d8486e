import { jestConfig } from '../../jest.shared';

export default jestConfig('database', __dirname, { testTimeout: 60000 });
