import { Controller, Get } from '@nestjs/common';
import { RedisStreamsClient } from '@shop/messaging';
import { InjectEnv, InjectStreamsClient, ServiceEnv } from '@shop/platform';
import { firstValueFrom } from 'rxjs';
import { NOTIFICATIONS_CLIENT, ORDERS_CLIENT } from './service-clients';

interface Pong {
  service: string;
  instance: string;
}

/** `GET /system/ping`: which instance of each service answered a command sent over Redis Streams. */
@Controller('system')
export class SystemController {
  constructor(
    @InjectEnv() private readonly env: ServiceEnv,
    @InjectStreamsClient(ORDERS_CLIENT) private readonly orders: RedisStreamsClient,
    @InjectStreamsClient(NOTIFICATIONS_CLIENT) private readonly notifications: RedisStreamsClient,
  ) {}

  @Get('ping')
  async ping(): Promise<{ gateway: string; orders: Pong; notifications: Pong }> {
    const [orders, notifications] = await Promise.all([
      firstValueFrom(this.orders.send<Pong>('orders.ping', {})),
      firstValueFrom(this.notifications.send<Pong>('notifications.ping', {})),
    ]);
    return { gateway: this.env.INSTANCE_ID, orders, notifications };
  }
}
