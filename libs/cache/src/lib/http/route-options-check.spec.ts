import type { CacheResponseOptions } from './cache-response.decorator';
import { checkRouteOptions, routeOptionsProblem } from './route-options-check';

const role = () => 'public';

describe('route options check', () => {
  it.each<CacheResponseOptions>([
    {},
    { cacheControl: 'no-cache' },
    { cacheControl: 'max-age=0, must-revalidate' },
    { cacheControl: 'private, no-cache' }, // a shared route may keep its answers out of shared caches
    { perUser: true },
    { perUser: true, cacheControl: 'private, no-cache' },
    { perUser: true, cacheControl: 'No-Cache, PRIVATE' },
    { perUser: true, cacheControl: 'no-store' },
    { cacheControl: 'no-cache', variant: role },
    { perUser: false, variant: role },
  ])('accepts %p', (options) => {
    expect(routeOptionsProblem(options)).toBeUndefined();
  });

  it.each<[string, CacheResponseOptions, RegExp]>([
    ['CR/LF', { cacheControl: 'no-cache\r\nSet-Cookie: a=1' }, /CR, LF/],
    ['a bare LF', { cacheControl: 'no-cache\nx' }, /CR, LF/],
    ['another control character', { cacheControl: 'no-cache\u0000' }, /control characters/],
    ['an empty value', { cacheControl: ' ' }, /non-empty string/],
    ['a non-string', { cacheControl: 60 as unknown as string }, /non-empty string/],
    ['perUser without private', { perUser: true, cacheControl: 'no-cache' }, /perUser.*private or no-store/],
    ['perUser with public', { perUser: true, cacheControl: 'public, max-age=60' }, /private or no-store/],
    // `private="x"` only keeps the named fields private: the rest may be stored by shared caches.
    ['perUser with a qualified private', { perUser: true, cacheControl: 'private="set-cookie"' }, /private/],
    [
      'perUser with a directive merely containing private',
      { perUser: true, cacheControl: 'x-private' },
      /private/,
    ],
    ['variant with perUser', { perUser: true, variant: role }, /variant is for shared routes/],
    ['a variant that is no function', { variant: 'admin' as unknown as () => string }, /function/],
  ])('refuses %s', (_name, options, message) => {
    expect(routeOptionsProblem(options)).toMatch(message);
  });

  it('throws naming the route, on every use while the options are wrong', () => {
    const options: CacheResponseOptions = { perUser: true, cacheControl: 'no-cache' };
    for (let i = 0; i < 2; i++)
      expect(() => checkRouteOptions(options, 'OrdersController.mine')).toThrow(
        /^@CacheResponse on OrdersController\.mine: a perUser route needs a cacheControl with private or no-store/,
      );
    expect(() => checkRouteOptions({ cacheControl: 'no-cache' }, 'CatalogController.list')).not.toThrow();
  });
});
