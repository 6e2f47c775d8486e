import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { InjectEnv, ServiceEnv } from '@shop/platform';

/** Service-level commands: `orders.ping` tells a caller which instance answered (routing checks, smoke tests). */
@Controller()
export class SystemController {
  constructor(@InjectEnv() private readonly env: ServiceEnv) {}

  @MessagePattern('orders.ping')
  ping(): { service: string; instance: string } {
    return { service: 'orders', instance: this.env.INSTANCE_ID };
  }
}
