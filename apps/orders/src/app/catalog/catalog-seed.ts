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
      this.log.log({ msg: 'demo catalog seeded', products: added });
      // Resolves false, never throws, when the bump did not reach Redis. Failing the start would not help
      // (the next start finds the catalog seeded and bumps nothing), so it is said, with the remedy.
      if (!(await this.cache.bumpNamespace(CATALOG_NAMESPACE)))
        this.log.warn({
          msg: 'catalog namespace not bumped after the seed (cache Redis down or timed out): entries cached before it may be served until their TTL; an admin reindex (orders.catalog.reindex) drops them',
        });
    }
  }
}
