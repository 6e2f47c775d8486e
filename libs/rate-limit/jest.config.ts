import { jestConfig } from '../../jest.shared';

export default jestConfig('rate-limit', __dirname, { testTimeout: 60000 });
