import { Inject, Module, type DynamicModule } from '@nestjs/common';
import { toMs, type Duration } from '@shop/util';
import { streamsClientProvider } from './messaging.providers';

/** One client of another service, as `MessagingClientsModule.registerClients` takes it. */
export interface StreamsClientRegistration {
  /** The injection token: `@InjectStreamsClient(name)`. */
  name: string | symbol;
  /** The service `send()` goes to (its command stream). */
  service: string;
  /** How long a `send()` waits for its reply: `'3s'`, `'500ms'` or milliseconds. @default '5s' */
  timeout?: Duration;
}

/**
 * Registers Redis Streams clients of other services, Nest style (like `ClientsModule.register`): each
 * is a `RedisStreamsClient` under its `name`, on the app's `RedisConnections`, with this service as the
 * producer of its `emit()`s; it closes itself on application shutdown. Needs the service
 * infrastructure (env and Redis modules) in the app.
 *
 * @example
 * @Module({ imports: [MessagingClientsModule.registerClients([{ name: ORDERS, service: 'orders', timeout: '3s' }])] })
 * // in a provider: constructor(@InjectStreamsClient(ORDERS) private readonly orders: RedisStreamsClient) {}
 */
@Module({})
export class MessagingClientsModule {
  static registerClients(clients: StreamsClientRegistration[]): DynamicModule {
    const names = new Set<string | symbol>();
    const providers = clients.map(({ name, service, timeout = '5s' }) => {
      if (names.has(name)) throw new Error(`streams client "${String(name)}" is registered twice`);
      names.add(name);
      return streamsClientProvider(name, service, positiveMs(timeout, `client ${String(name)} timeout`));
    });
    return { module: MessagingClientsModule, providers, exports: [...names] };
  }
}

/** Injects a client registered with `MessagingClientsModule.registerClients`. */
export function InjectStreamsClient(name: string | symbol): ParameterDecorator & PropertyDecorator {
  return Inject(name);
}

/** A client timeout: positive milliseconds, refused at registration when malformed. */
function positiveMs(value: Duration, what: string): number {
  return toMs(value, what, { allowZero: false });
}
