/** The demo catalog seeded at the first start (prices in cents). */
export const DEMO_CATALOG = [
  { sku: 'MUG-RED', name: 'Red mug', price: 1299 },
  { sku: 'MUG-BLUE', name: 'Blue mug', price: 1299 },
  { sku: 'TEE-S', name: 'T-shirt, small', price: 2499 },
  { sku: 'TEE-M', name: 'T-shirt, medium', price: 2499 },
  { sku: 'TEE-L', name: 'T-shirt, large', price: 2499 },
  { sku: 'CAP-01', name: 'Cap', price: 1899 },
  { sku: 'BAG-TOTE', name: 'Tote bag', price: 1599 },
  { sku: 'PEN-4C', name: 'Four-colour pen', price: 399 },
  { sku: 'BOOK-REDIS', name: 'Redis in practice', price: 3999 },
  { sku: 'STICKER-10', name: 'Sticker pack (10)', price: 499 },
];
