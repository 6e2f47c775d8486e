import { jestConfig } from '../../jest.shared';

export default jestConfig('leaderboard', __dirname, { testTimeout: 60000 });
