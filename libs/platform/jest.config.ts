import { jestConfig } from '../../jest.shared';

export default jestConfig('platform', __dirname, { testTimeout: 30000 });
