import type { Page } from '@shop/contracts';

/** The API's list shape: `nextCursor` is always present, `null` on the last page. */
export interface ListView<T> {
  items: T[];
  nextCursor: string | null;
}

export function listView<T, V = T>(
  page: Page<T>,
  map: (item: T) => V = (i) => i as unknown as V,
): ListView<V> {
  return { items: page.items.map(map), nextCursor: page.nextCursor ?? null };
}
