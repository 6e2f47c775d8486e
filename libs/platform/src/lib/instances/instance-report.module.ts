import { Module, type DynamicModule } from '@nestjs/common';
import { InstanceReporter } from './instance-report';

/** Publishes this instance's figures (see `InstanceReporter`); part of `serviceInfrastructure`. */
@Module({})
export class InstanceReportModule {
  static forRoot(): DynamicModule {
    return { module: InstanceReportModule, providers: [InstanceReporter], exports: [InstanceReporter] };
  }
}
