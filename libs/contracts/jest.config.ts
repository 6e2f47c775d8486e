import { jestConfig } from '../../jest.shared';

export default jestConfig('contracts', __dirname);
