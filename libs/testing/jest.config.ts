import { jestConfig } from '../../jest.shared';

export default jestConfig('testing', __dirname, { testTimeout: 60000 });
