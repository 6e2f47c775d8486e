import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Cache } from '@shop/cache';
import { CATALOG_NAMESPACE } from './catalog-cache';
import { CatalogRepository } from './catalog.repository';
import { DEMO_CATALOG } from './demo-catalog';

/**
 * Seeds the demo catalog at the first start (after the migrations), then bumps the catalog namespace so
 * nothing cached before the seed (an empty list page) survives it. Concurrent first starts insert each
 * product once.
 */
@Injectable()
export class CatalogSeed implements OnApplicationBootstrap {
  private readonly log = new Logger('Catalog');

  constructor(
    private readonly repo: CatalogRepository,
    private readonly cache: Cache,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.repo.isEmpty())) return;
    const added = await this.repo.seed(DEMO_CATALOG);
    if (added > 0) {
      await this.cache.bumpNamespace(CATALOG_NAMESPACE);
      this.log.log({ msg: 'demo catalog seeded', products: added });
    }
  }
}
