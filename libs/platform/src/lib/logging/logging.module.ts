import { Module } from '@nestjs/common';
import { requestContext } from '@shop/messaging';
import { LoggerModule } from 'nestjs-pino';
import { APP_ENV, SERVICE_NAME } from '../env/env.tokens';
import type { ServiceEnv } from '../env/service-env';
import { requestId } from './request-id';

/**
 * JSON lines through pino: one line per request with its correlation id (`req.id`), the service and
 * instance on every line, secrets redacted, probes and scrapes not logged.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_ENV, SERVICE_NAME],
      useFactory: (env: ServiceEnv, service: string) => ({
        pinoHttp: {
          level: env.LOG_LEVEL,
          base: { service, instance: env.INSTANCE_ID, pid: process.pid },
          genReqId: requestId,
          messageKey: 'msg',
          redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
          autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
          customProps: () => ({ context: 'http' }),
          // Every line written inside a request's context names it: HTTP handlers here, and message
          // handlers run for a command another service sent while handling its request.
          mixin: () => {
            const id = requestContext.requestId();
            return id === undefined ? {} : { requestId: id };
          },
          // The exception filter logs 5xx with the real error; pino-http only grades the request line.
          customLogLevel: (_req, res, err) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          customErrorMessage: (_req, res) => `request failed with ${res.statusCode}`,
        },
      }),
    }),
  ],
})
export class LoggingModule {}
