import { Injectable } from '@nestjs/common';
import { ERROR_CODES, type OrderItemInputDto, type OrderLine } from '@shop/contracts';
import { DomainError } from '@shop/messaging';
import { CatalogRepository } from '../catalog/catalog.repository';

/**
 * Prices lines from the catalog as committed in SQL (a client never supplies a price): name and unit
 * price are copied into the order, the total computed here.
 */
@Injectable()
export class OrderPricing {
  constructor(private readonly catalog: CatalogRepository) {}

  async price(items: OrderItemInputDto[]): Promise<{ lines: OrderLine[]; total: number }> {
    const skus = items.map((i) => i.sku);
    const dup = skus.find((s, i) => skus.indexOf(s) !== i);
    if (dup)
      throw new DomainError(ERROR_CODES.duplicateSku, `sku ${dup} appears twice: one line per sku`, 400);
    const products = await this.catalog.findMany(skus);
    const lines = items.map(({ sku, quantity }) => {
      const p = products.get(sku);
      if (!p?.active)
        throw new DomainError(
          ERROR_CODES.unknownProduct,
          `product ${sku} does not exist or is not for sale`,
          400,
        );
      return { sku, name: p.name, unitPrice: p.price, quantity };
    });
    return { lines, total: lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0) };
  }
}
