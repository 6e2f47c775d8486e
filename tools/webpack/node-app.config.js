const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

/**
 * The webpack config of every service: a Node bundle of `src/main.ts` with path aliases resolved and
 * decorator metadata kept (tsc compiler), node_modules left external, source maps on. `plugin` adds
 * options of the Nx plugin, e.g. `assets` copied beside `main.js` (the gateway's web page).
 */
module.exports = function nodeAppConfig(appDir, name, plugin = {}) {
  return {
    output: { path: join(appDir, '../../dist/apps', name), clean: true },
    devtool: 'source-map',
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: false,
        sourceMap: true,
        ...plugin,
      }),
    ],
  };
};
