import { Injectable } from '@nestjs/common';
import type { CallerDto } from '@shop/contracts';
import { RedisStreamsClient } from '@shop/messaging';
import { InjectStreamsClient } from '@shop/platform';
import { firstValueFrom } from 'rxjs';
import { NOTIFICATIONS_CLIENT } from '../service-clients';

/** Commands to the notifications service (errors map to statuses like the orders service's). */
@Injectable()
export class NotificationsApi {
  constructor(@InjectStreamsClient(NOTIFICATIONS_CLIENT) private readonly client: RedisStreamsClient) {}

  send<T>(pattern: string, caller: CallerDto, payload: object = {}): Promise<T> {
    return firstValueFrom(this.client.send<T>(pattern, { ...payload, caller }));
  }
}
