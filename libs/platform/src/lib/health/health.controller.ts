import {
  Controller,
  Get,
  Inject,
  ServiceUnavailableException,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check';

/**
 * `/health/live`: the process runs (restart it if not). `/health/ready`: every dependency answers (send
 * traffic only if so); it turns 503 as soon as shutdown starts so load balancers drain this instance.
 */
@Controller('health')
export class HealthController implements BeforeApplicationShutdown {
  private draining = false;

  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    if (this.draining) throw new ServiceUnavailableException({ status: 'shutting_down' });
    return this.health.check(this.checks.map((c) => () => c.check()));
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}
