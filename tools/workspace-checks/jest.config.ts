import { jestConfig } from '../../jest.shared';

/** Checks of the workspace itself: module boundaries and the project graph. */
export default jestConfig('workspace-checks', __dirname, { testTimeout: 120_000 });
