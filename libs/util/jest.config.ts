import { jestConfig } from '../../jest.shared';

export default jestConfig('util', __dirname);
