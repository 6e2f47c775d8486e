import { Injectable, Logger } from '@nestjs/common';
import { Cache } from '@shop/cache';
import {
  DEFAULT_PAGE_SIZE,
  ERROR_CODES,
  SKU_PATTERN,
  type CallerDto,
  type Page,
  type Product,
  type UpdateProductDto,
} from '@shop/contracts';
import { DomainError } from '@shop/messaging';
import { isAdmin, requireAdmin } from '../common/caller';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { notFound, versionConflict } from '../common/domain-errors';
import { OrdersMetrics } from '../common/orders-metrics';
import { CATALOG_NAMESPACE, PRODUCTS_TAG, productKey, productPageKey, productTag } from './catalog-cache';
import { CatalogRepository, type ProductChange } from './catalog.repository';
import type { ProductChangedEvent } from '@shop/contracts';

/**
 * The catalog: reads are cache-aside (`getOrSet`, tagged `product:<sku>` and `products`, in the
 * `catalog` namespace), writes commit with their event and then invalidate those tags on every
 * instance (the bus); other services drop what they cached on the `orders.product.changed` event.
 */
@Injectable()
export class CatalogService {
  private readonly log = new Logger('Catalog');

  constructor(
    private readonly repo: CatalogRepository,
    private readonly cache: Cache,
    private readonly metrics: OrdersMetrics,
  ) {}

  async get(caller: CallerDto, sku: string): Promise<Product> {
    this.metrics.reads.inc({ path: 'product' });
    const product = await this.cache.getOrSet(
      productKey(sku),
      async () => {
        this.metrics.loads.inc({ path: 'product' });
        const found = await this.repo.find(sku);
        // A miss is not cached (a probe of random skus fills nothing).
        if (!found) throw notFound('product', sku);
        return found;
      },
      { namespace: CATALOG_NAMESPACE, tags: [productTag(sku), PRODUCTS_TAG] },
    );
    // Customers see active products only; an inactive one answers like a missing one.
    if (!product.active && !isAdmin(caller)) throw notFound('product', sku);
    return product;
  }

  async list(
    caller: CallerDto,
    cursor: string | undefined,
    limit = DEFAULT_PAGE_SIZE,
  ): Promise<Page<Product>> {
    const activeOnly = !isAdmin(caller);
    const after = decodeCursor(cursor, SKU_PATTERN);
    this.metrics.reads.inc({ path: 'product-list' });
    return this.cache.getOrSet(
      productPageKey(activeOnly, cursor, limit),
      async () => {
        this.metrics.loads.inc({ path: 'product-list' });
        const rows = await this.repo.list({ activeOnly, after, limit: limit + 1 });
        const items = rows.slice(0, limit);
        return rows.length > limit
          ? { items, nextCursor: encodeCursor(items[items.length - 1].sku) }
          : { items };
      },
      { namespace: CATALOG_NAMESPACE, tags: [PRODUCTS_TAG] },
    );
  }

  async create(caller: CallerDto, p: { sku: string; name: string; price: number }): Promise<Product> {
    requireAdmin(caller, 'creating a product');
    const product = await this.repo.create(p);
    if (!product) throw new DomainError(ERROR_CODES.productExists, `product ${p.sku} exists`, 409);
    await this.invalidate(p.sku);
    return product;
  }

  async update(caller: CallerDto, dto: UpdateProductDto): Promise<Product> {
    requireAdmin(caller, 'changing a product');
    return this.change(dto.sku, { name: dto.name, price: dto.price }, dto.expectedVersion, 'updated');
  }

  async deactivate(caller: CallerDto, sku: string): Promise<Product> {
    requireAdmin(caller, 'deactivating a product');
    return this.change(sku, { active: false }, undefined, 'deactivated');
  }

  /** Version-based invalidation: one `INCR` and every cached catalog entry is stale, on every instance. */
  async reindex(caller: CallerDto): Promise<{ invalidated: boolean }> {
    requireAdmin(caller, 'reindexing the catalog');
    return { invalidated: await this.cache.bumpNamespace(CATALOG_NAMESPACE) };
  }

  private async change(
    sku: string,
    change: ProductChange,
    expectedVersion: number | undefined,
    kind: ProductChangedEvent['change'],
  ): Promise<Product> {
    const result = await this.repo.update(sku, change, expectedVersion, kind);
    if (!result) throw notFound('product', sku);
    if ('conflict' in result) throw versionConflict('product', sku, expectedVersion ?? 0, result.conflict);
    await this.invalidate(sku);
    return result;
  }

  /**
   * The committed change is the truth; a cache that cannot be told (its Redis down) must not fail the
   * write. `invalidateTags` resolves false then, and the stale entries live at most their L1 TTL.
   */
  private async invalidate(sku: string): Promise<void> {
    const ok = await this.cache.invalidateTags([productTag(sku), PRODUCTS_TAG]);
    if (!ok) this.log.warn({ msg: 'catalog invalidation not delivered (cache Redis down)', sku });
  }
}
