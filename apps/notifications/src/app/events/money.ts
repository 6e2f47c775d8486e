/**
 * Integer cents as a price in a sentence: `1234` -> `€12.34`, `123456789` -> `€1,234,567.89`. Integer
 * arithmetic only (no `/ 100` float), so every amount up to `Number.MAX_SAFE_INTEGER` prints exactly.
 */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not an amount in cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}€${euros}.${String(abs % 100).padStart(2, '0')}`;
}
