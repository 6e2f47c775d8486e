import { Module } from '@nestjs/common';
import { CatalogController } from './catalog.controller';
import { CatalogRepository } from './catalog.repository';
import { CatalogSeed } from './catalog-seed';
import { CatalogService } from './catalog.service';

/** Products: cache-aside reads, admin writes with events, version-based reindex, the demo seed. */
@Module({
  controllers: [CatalogController],
  providers: [CatalogRepository, CatalogService, CatalogSeed],
  exports: [CatalogRepository],
})
export class CatalogModule {}
