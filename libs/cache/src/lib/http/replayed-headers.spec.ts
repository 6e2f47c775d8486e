import { changedHeaders, notStorableReason, replayable, replayedHeaderSet } from './replayed-headers';

describe('replayed headers', () => {
  it('keeps only what the handler set or changed', () => {
    const before = { 'x-request-id': 'r1', 'content-type': 'application/json', vary: 'Origin' };
    const after = { ...before, 'content-type': 'text/csv', 'x-catalog-version': 7, link: ['<a>', '<b>'] };
    expect(changedHeaders(before, after)).toEqual({
      'content-type': 'text/csv',
      'x-catalog-version': '7',
      link: ['<a>', '<b>'],
    });
  });

  it('replays the defaults and the route names, never Set-Cookie or the cache-owned headers', () => {
    const set = replayedHeaderSet(['X-Catalog-Version', 'Set-Cookie', 'ETag', 'Vary']);
    const changed = {
      'content-type': 'text/csv',
      'x-catalog-version': '7',
      'x-debug': '1',
      'set-cookie': ['a=1'],
      etag: '"x"',
      vary: 'Accept',
      'content-length': '3',
    };
    expect(replayable(changed, set)).toEqual({ 'content-type': 'text/csv', 'x-catalog-version': '7' });
  });

  it.each([
    [{ 'set-cookie': ['a=1'] }, false, 'set-cookie'],
    [{ 'cache-control': 'no-store' }, false, 'no-store'],
    [{ 'cache-control': 'max-age=0, No-Cache' }, true, 'no-store'],
    [{ 'cache-control': 'private, max-age=60' }, false, 'private'],
    [{ 'cache-control': 'private, max-age=60' }, true, undefined],
    [{ 'cache-control': 'public, max-age=60' }, false, undefined],
    [{ 'cache-control': 'no-cache="set-cookie, x-a", max-age=60' }, true, 'no-store'],
    [{ 'cache-control': 'private="x-a", max-age=60' }, false, 'private'],
    [{ 'content-type': 'text/csv' }, false, undefined],
    [{ vary: 'Accept-Language' }, false, 'vary'],
    [{ vary: '*' }, true, 'vary'],
    [{ vary: 'authorization, Cookie' }, false, undefined],
  ])('%p (perUser %p) is not storable because %p', (headers, perUser, reason) => {
    expect(notStorableReason(headers, perUser, ['authorization', 'cookie'])).toBe(reason);
  });
});
