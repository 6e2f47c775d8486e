import { jestConfig } from '../../jest.shared';

export default jestConfig('redis', __dirname, { testTimeout: 60000 });
