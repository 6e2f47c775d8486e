import { CacheError } from './errors';

// Cache keys may hold ':' and '/' (`user:42`, `GET /orders?a=1`), never glob characters or whitespace.
const KEY = /^[A-Za-z0-9_.:/=&%@+,;-]{1,512}$/;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
// Tags may also hold ':' (`order:42`, `customer:7:orders`): a tag only names a version counter, so ':' can
// change neither a slot nor a pattern; 128 leaves room for an id of 64 inside.
const TAG = /^[A-Za-z0-9_.:-]{1,128}$/;
/**
 * Joins a namespace to its keys and names its version counter. A plain key or tag can never contain it,
 * so `set('catalog|item-1')` is refused and `set('catalog:item-1')` is another key than `item-1` in
 * namespace `catalog`; nor can a tag (`ns.catalog`) stand for a namespace's version.
 */
export const NAMESPACE_SEPARATOR = '|';

/**
 * Key naming: validates user keys, tags and namespaces and builds the full key (namespace included),
 * its L2 key and its lease key. Pure; user input never becomes a glob, a slot change or another
 * namespace.
 *
 * @example
 * const keys = new CacheKeys('shop:cache:orders');
 * keys.full('item-1', 'catalog')  // 'catalog|item-1'
 * keys.l2('catalog|item-1')       // 'shop:cache:orders:{catalog|item-1}'
 */
export class CacheKeys {
  constructor(readonly base: string) {}

  /** The key as the tiers and the bus know it: `<namespace>|<key>` or just `<key>`. */
  full(key: string, namespace?: string): string {
    if (!KEY.test(key))
      throw new CacheError(
        'E_INVALID_KEY',
        `invalid cache key "${key.slice(0, 80)}" (1-512 of [A-Za-z0-9_.:/=&%@+,;-])`,
      );
    return namespace ? `${checkName(namespace, 'namespace')}${NAMESPACE_SEPARATOR}${key}` : key;
  }

  /** `<base>:{<fullKey>}`: the braces put the entry and its lease on one Cluster slot. */
  l2(fullKey: string): string {
    return `${this.base}:{${fullKey}}`;
  }

  lease(fullKey: string): string {
    return `${this.l2(fullKey)}:lease`;
  }

  /** The validated tags of an entry, plus its namespace's version counter. */
  tags(options: { tags?: string[]; namespace?: string }): string[] {
    const tags = (options.tags ?? []).map((t) => checkName(t, 'tag'));
    return options.namespace ? [...tags, namespaceTag(options.namespace)] : tags;
  }
}

/**
 * A tag as a part of its version counter's Redis key: key parts may not hold ':', so it becomes '/',
 * which no tag and no namespace can contain (the mapping stays one-to-one; `ns:catalog` cannot alias
 * the namespace counter `ns|catalog`).
 */
export function tagKeyPart(tag: string): string {
  return tag.replaceAll(':', '/');
}

/** The version counter of a namespace; it contains a character no tag may contain, so it cannot be forged. */
export function namespaceTag(namespace: string): string {
  return `ns${NAMESPACE_SEPARATOR}${checkName(namespace, 'namespace')}`;
}

export function checkName(value: string, what: 'tag' | 'namespace' | 'cache name'): string {
  if (what === 'tag') {
    if (!TAG.test(value))
      throw new CacheError('E_INVALID_KEY', `invalid tag "${value.slice(0, 80)}" (1-128 of [A-Za-z0-9_.:-])`);
  } else if (!NAME.test(value))
    throw new CacheError('E_INVALID_KEY', `invalid ${what} "${value.slice(0, 80)}" (1-64 of [A-Za-z0-9_.-])`);
  return value;
}
