/**
 * Order of two Redis Stream entry ids (`<ms>-<seq>`): negative, zero or positive. Compared as numbers,
 * not strings ("9-0" < "10-0"); both parts fit a double exactly (ms < 2^53, seq validated short).
 */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = split(a);
  const [bm, bs] = split(b);
  return am !== bm ? am - bm : as - bs;
}

function split(id: string): [number, number] {
  const dash = id.indexOf('-');
  return dash < 0 ? [Number(id), 0] : [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}
