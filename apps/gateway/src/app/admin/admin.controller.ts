import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_ENV, readInstanceReports, type InstanceReport } from '@shop/platform';
import { RedisConnections } from '@shop/redis';
import { RequireRole } from '../auth/auth.decorators';
import type { GatewayEnv } from '../gateway-env';
import { ApiErrors } from '../openapi/api-errors.decorator';

/**
 * What the admin view shows per instance: every instance of every service publishes its figures
 * (cache hit ratio, bus and stream messages, dead letters, rate-limit rejections) to the data Redis, so
 * any gateway instance can list them all (a load balancer would never reach a given instance's /metrics).
 */
@ApiTags('admin')
@Controller('api/admin')
export class AdminController {
  constructor(
    private readonly redis: RedisConnections,
    @Inject(APP_ENV) private readonly env: GatewayEnv,
  ) {}

  @Get('instances')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Every live instance of every service with its figures (admin)' })
  @ApiErrors(401, 403, 429, 503)
  async instances(): Promise<{ items: InstanceReport[] }> {
    try {
      return { items: await readInstanceReports(this.redis, this.env.INSTANCE_REPORT_MS) };
    } catch {
      throw new ServiceUnavailableException({
        code: 'E_UNAVAILABLE',
        message: 'instance reports are in the data Redis, which does not answer',
      });
    }
  }
}
