import type { Product } from '../catalog/product';

/** `orders.product.changed`: created, updated or deactivated; consumers drop what they cached of it. */
export interface ProductChangedEvent {
  eventId: string;
  sku: string;
  version: number;
  change: 'created' | 'updated' | 'deactivated';
  product: Product;
  at: string;
}
