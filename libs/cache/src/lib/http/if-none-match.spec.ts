import { ifNoneMatchMatches, parseIfNoneMatch } from './if-none-match';

const etag = '"abc"';

describe('parseIfNoneMatch', () => {
  it('parses a list of strong and weak tags, with optional whitespace and empty elements', () => {
    expect(parseIfNoneMatch(' "a" ,W/"b",\t, "c" ,')).toEqual(['"a"', '"b"', '"c"']);
  });

  it('keeps a comma inside a quoted tag', () => {
    expect(parseIfNoneMatch('"a,b", "c"')).toEqual(['"a,b"', '"c"']);
  });

  it('accepts an empty opaque tag and obs-text', () => {
    expect(parseIfNoneMatch('"", "\xe9"')).toEqual(['""', '"\xe9"']);
  });

  it('returns "*" only for a lone star', () => {
    expect(parseIfNoneMatch(' * ')).toBe('*');
    expect(parseIfNoneMatch('*, "a"')).toBeUndefined();
  });

  it.each([
    ['an empty header', ''],
    ['only separators', ' , ,'],
    ['an unquoted tag', 'abc'],
    ['an unterminated tag', '"abc'],
    ['a lower-case weak prefix', 'w/"abc"'],
    ['a space after W/', 'W/ "abc"'],
    ['two tags without a comma', '"a" "b"'],
    ['junk after a tag', '"a"x'],
    ['a space inside a tag', '"a b"'],
    ['a control character inside a tag', '"a\x01"'],
  ])('rejects %s', (_name, header) => {
    expect(parseIfNoneMatch(header)).toBeUndefined();
  });
});

describe('ifNoneMatchMatches', () => {
  it.each([
    ['the exact tag', etag],
    ['a list containing it', '"x", "abc", "y"'],
    ['its weak form', 'W/"abc"'],
    ['a star', '*'],
  ])('matches %s', (_name, header) => {
    expect(ifNoneMatchMatches(header, etag)).toBe(true);
  });

  it('compares weakly against a weak current tag too', () => {
    expect(ifNoneMatchMatches('"abc"', 'W/"abc"')).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['a list without it', '"x", W/"y"'],
    ['a tag that only differs in case', '"ABC"'],
    ['the tag without quotes', 'abc'],
    ['a malformed list that contains it', '"abc", junk'],
  ])('does not match %s', (_name, header) => {
    expect(ifNoneMatchMatches(header, etag)).toBe(false);
  });
});
