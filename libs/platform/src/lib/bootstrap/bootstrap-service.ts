import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { ServiceEnv } from '../env/service-env';
import { EnvValidationError, validateEnv } from '../env/validate-env';
import { STREAMS_SERVER } from '../messaging/messaging.providers';

export interface BootstrapOptions<E extends ServiceEnv> {
  /** Service name, as in `PlatformModule.forRoot`. */
  service: string;
  /** The root module. */
  module: unknown;
  /** Validated before anything starts, so a bad env fails in milliseconds with every problem listed. */
  env: new () => E;
  /** Connect the service's Redis Streams server (`STREAMS_SERVER`) so its message handlers run. */
  microservice?: boolean;
  /** Hook to attach other transports etc. before listening. */
  configure?: (app: NestExpressApplication, env: E) => void | Promise<void>;
}

/**
 * Starts a service: validates the env (exit 1 listing every bad variable), creates the app with pino
 * logs, initialises it (every `onModuleInit` hook, the migrations among them, has run before anything
 * is consumed), starts connected microservices, listens, and on SIGTERM/SIGINT drains: readiness turns 503,
 * the HTTP server stops accepting and finishes in-flight requests, transports stop reading and finish
 * their handlers, connections close, exit 0. `SHUTDOWN_TIMEOUT_MS` bounds the whole drain.
 */
export async function bootstrapService<E extends ServiceEnv>(
  options: BootstrapOptions<E>,
): Promise<INestApplication> {
  let env: E;
  try {
    env = validateEnv(options.env);
  } catch (err) {
    fatal(options.service, err instanceof EnvValidationError ? err.message : String(err));
    return process.exit(1);
  }
  try {
    const app = await NestFactory.create<NestExpressApplication>(options.module as never, {
      bufferLogs: true,
      bodyParser: false,
      abortOnError: false,
    });
    app.useLogger(app.get(Logger));
    app.disable('x-powered-by');
    if (options.microservice) {
      // Global pipes and filters (validation, error passthrough) apply to message handlers too.
      app.connectMicroservice({ strategy: app.get(STREAMS_SERVER) }, { inheritAppConfig: true });
    }
    await options.configure?.(app, env);
    // Nest's startAllMicroservices() does not initialise the app: without this the transport would
    // start consuming (pending commands first) before onModuleInit hooks, the migrations among them,
    // have run. listen() then finds the app initialised and only binds the port.
    await app.init();
    await app.startAllMicroservices();
    await app.listen(env.PORT, env.HOST);
    installShutdown(app, env, options.service);
    app
      .get(Logger)
      .log({ msg: 'service started', service: options.service, port: env.PORT, host: env.HOST }, 'Bootstrap');
    return app;
  } catch (err) {
    fatal(options.service, err instanceof Error ? (err.stack ?? err.message) : String(err));
    return process.exit(1);
  }
}

function installShutdown(app: INestApplication, env: ServiceEnv, service: string): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const logger = app.get(Logger);
    logger.log({ msg: 'shutting down', signal, timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'Bootstrap');
    const deadline = setTimeout(() => {
      fatal(service, `shutdown took longer than SHUTDOWN_TIMEOUT_MS=${env.SHUTDOWN_TIMEOUT_MS}; exiting`);
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    app
      .close()
      .then(() => {
        logger.log({ msg: 'stopped', signal }, 'Bootstrap');
        process.exit(0);
      })
      .catch((err: unknown) => {
        fatal(service, `shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** One JSON line on stderr, readable by people and by log shippers alike. */
function fatal(service: string, message: string): void {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', time: Date.now(), service, msg: message })}\n`);
  if (process.stderr.isTTY) process.stderr.write(`${message}\n`);
}
