import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { InjectEnv, ServiceEnv } from '@shop/platform';

/** Service-level commands: `notifications.ping` tells a caller which instance answered (routing checks, smoke tests). */
@Controller()
export class SystemController {
  constructor(@InjectEnv() private readonly env: ServiceEnv) {}

  @MessagePattern('notifications.ping')
  ping(): { service: string; instance: string } {
    return { service: 'notifications', instance: this.env.INSTANCE_ID };
  }
}
