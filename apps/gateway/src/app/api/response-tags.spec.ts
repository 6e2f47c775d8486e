import { orderTags, productTags, RESPONSE_TAGS } from './response-tags';

describe('response tags', () => {
  it('a product change names that product and the list pages, not the rest of the catalog', () => {
    expect(productTags('TEE-M')).toEqual([RESPONSE_TAGS.product('TEE-M'), RESPONSE_TAGS.catalogPages]);
  });

  it('an event without a usable sku drops the whole catalog (never a tag built from hostile input)', () => {
    for (const sku of [undefined, '', 'tee-m', 'X:*{y}', 'A B', 42])
      expect(productTags(sku)).toEqual([RESPONSE_TAGS.catalog]);
  });

  it('an order change names the order, its customer’s lists and the admin lists', () => {
    expect(orderTags('ord_1', 'u_1')).toEqual([
      RESPONSE_TAGS.order('ord_1'),
      RESPONSE_TAGS.ordersOf('u_1'),
      RESPONSE_TAGS.allOrders,
    ]);
  });
});
