import { Injectable } from '@nestjs/common';
import type { CallerDto } from '@shop/contracts';
import { RedisStreamsClient } from '@shop/messaging';
import { InjectStreamsClient } from '@shop/platform';
import { firstValueFrom } from 'rxjs';
import { ORDERS_CLIENT } from '../service-clients';

/** An anonymous visitor, as command payloads name one (customers' view of the catalog and boards). */
export const ANONYMOUS: CallerDto = { userId: 'anonymous', role: 'customer' };

/**
 * Commands to the orders service over `libs/messaging`. A failed call rejects with the `MessagingError`
 * the platform's exception filter maps to a status (remote 4xx kept, timeout 504, Redis down 503).
 */
@Injectable()
export class OrdersApi {
  constructor(@InjectStreamsClient(ORDERS_CLIENT) private readonly client: RedisStreamsClient) {}

  send<T>(pattern: string, caller: CallerDto, payload: object = {}): Promise<T> {
    return firstValueFrom(this.client.send<T>(pattern, { ...payload, caller }));
  }
}
