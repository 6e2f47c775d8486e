import { KeyBuilder } from '@shop/redis';
import { SessionKeys, newSid, tagOfSid, userTag } from './session-keys';

describe('session keys', () => {
  const keys = new SessionKeys(new KeyBuilder('shop'), 'sess');

  it('tags a logged-in id with its user, so the session, its tombstone and the index share a slot', () => {
    const sid = newSid('42');
    expect(tagOfSid(sid)).toBe(userTag('42'));
    const tag = `{${userTag('42')}}`;
    for (const key of [keys.session(sid), keys.tombstone(sid), keys.userIndex('42')])
      expect(key).toContain(tag);
    expect(keys.userIndex('42')).toBe(`${keys.userIndexPrefix(sid)}42`);
  });

  it('gives anonymous ids random tags and 192 random bits', () => {
    const a = newSid();
    const b = newSid();
    expect(tagOfSid(a)).not.toBe(tagOfSid(b));
    expect(a.split('.')[1]).toHaveLength(32);
    expect(SessionKeys.isValidSid(a)).toBe(true);
  });

  it('builds the request-path session key exactly as KeyBuilder.tagged does', () => {
    const builder = new KeyBuilder('shop');
    for (const sid of [newSid('42'), newSid(), 'abcDEF123', '.lead-dot', 'a.b.c'])
      expect(keys.sessionOfValid(sid)).toBe(builder.tagged('sess', tagOfSid(sid), 's', sid));
    expect(() => keys.session('a:b')).toThrow(/invalid key part/);
  });

  it('never builds a key from a malformed id', () => {
    for (const bad of ['', 'a:b', 'a*', '{x}', 'x'.repeat(121), 42])
      expect(SessionKeys.isValidSid(bad)).toBe(false);
  });

  it('an id from another genid is its own tag', () => {
    expect(tagOfSid('abcDEF123')).toBe('abcDEF123');
    expect(keys.sidOfKey(keys.session('abcDEF123'))).toBe('abcDEF123');
  });
});
