// The web page (`src/public`) is copied to `dist/apps/gateway/public`, where the gateway serves it at `/`.
module.exports = require('../../tools/webpack/node-app.config')(__dirname, 'gateway', {
  assets: [{ input: './src/public', glob: '**/*', output: 'public' }],
});
