import { jestConfig } from '../../jest.shared';

export default jestConfig('sessions', __dirname, { testTimeout: 60000 });
