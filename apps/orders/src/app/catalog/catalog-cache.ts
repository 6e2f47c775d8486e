/** Catalog cache entries live in one namespace: `reindex` bumps it and every catalog entry is invalid. */
export const CATALOG_NAMESPACE = 'catalog';
export const PRODUCTS_TAG = 'products';
export const productKey = (sku: string): string => `product:${sku}`;
export const productTag = (sku: string): string => `product:${sku}`;
export const productPageKey = (activeOnly: boolean, cursor: string | undefined, limit: number): string =>
  `products:${activeOnly ? 'active' : 'all'}:${cursor ?? 'first'}:${limit}`;
