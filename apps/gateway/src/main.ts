import 'reflect-metadata';
import { bootstrapService } from '@shop/platform';
import { AppModule } from './app/app.module';
import { GatewayEnv } from './app/gateway-env';
import { responseFastPath } from './app/http/response-fast-path';
import { trustProxySetting } from './app/limits/trust-proxy';
import { setupOpenApi } from './app/openapi/setup-openapi';

void bootstrapService({
  service: 'gateway',
  module: AppModule,
  env: GatewayEnv,
  // Its Streams server reads the orders service's events (the `gateway` group) to invalidate responses.
  microservice: true,
  configure: (app, env) => {
    // `req.ip`, `req.protocol` and `req.secure` believe forwarded headers only from these proxies.
    app.set('trust proxy', trustProxySetting(env.TRUST_PROXY) ?? false);
    setupOpenApi(app);
    // Repeat HITs of shared responses answered ahead of the Nest pipeline (with the rate limit).
    if (env.HTTP_CACHE === 'on') app.use(responseFastPath(app));
  },
});
