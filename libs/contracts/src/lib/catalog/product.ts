/** A catalog product as services answer it; `price` in integer cents, `updatedAt` ISO 8601. */
export interface Product {
  sku: string;
  name: string;
  price: number;
  active: boolean;
  updatedAt: string;
  version: number;
}
