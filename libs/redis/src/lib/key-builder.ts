import { CodedError } from '@shop/util';

/** Thrown when a value cannot become part of a Redis key. */
export class InvalidKeyPartError extends CodedError<'E_INVALID_KEY_PART'> {
  constructor(part: unknown, reason: string) {
    super('E_INVALID_KEY_PART', `invalid key part ${JSON.stringify(String(part)).slice(0, 80)}: ${reason}`);
  }
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
// Glob characters would turn a SCAN pattern wild; braces would change the Cluster slot; ':' separates parts.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\s*?[\]{}\\:\u0000-\u001f]/;
const MAX_PART = 200;

/**
 * Builds every key the project writes: `<prefix>:<area>:<part>...`, with an optional Cluster hash tag
 * (`<prefix>:<area>:{<tag>}:<part>...`) so that keys one script or transaction touches share a slot.
 * Parts are validated, so user input can never become a glob pattern or change a key's slot.
 *
 * @example
 * const keys = new KeyBuilder('shop');
 * keys.key('order', 42)                   // 'shop:order:42'
 * keys.tagged('lb', 'week-2026-48', 'z')  // 'shop:lb:{week-2026-48}:z'
 * keys.pattern('order')                   // 'shop:order:*' (for SCAN)
 */
export class KeyBuilder {
  constructor(readonly prefix: string) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/.test(prefix)) {
      throw new InvalidKeyPartError(prefix, 'a prefix is 1-40 of [A-Za-z0-9_.-]');
    }
  }

  /** `<prefix>:<area>:<parts...>` */
  key(area: string, ...parts: Array<string | number | bigint>): string {
    return [this.prefix, checkArea(area), ...parts.map(checkPart)].join(':');
  }

  /** `<prefix>:<area>:{<hashTag>}:<parts...>`: every key with the same tag lands on one Cluster slot. */
  tagged(area: string, hashTag: string | number, ...parts: Array<string | number | bigint>): string {
    return [this.prefix, checkArea(area), `{${checkPart(hashTag)}}`, ...parts.map(checkPart)].join(':');
  }

  /** A SCAN `MATCH` pattern for every key of an area below the given parts. */
  pattern(area: string, ...parts: Array<string | number | bigint>): string {
    return `${[this.prefix, checkArea(area), ...parts.map(checkPart)].join(':')}:*`;
  }

  /** A pub/sub channel or stream name in the same namespace. */
  channel(area: string, ...parts: Array<string | number | bigint>): string {
    return this.key(area, ...parts);
  }

  /** Whether a value can be used as a key part; for validating user input before it reaches a key. */
  static isValidPart(part: unknown): boolean {
    try {
      checkPart(part as string);
      return true;
    } catch {
      return false;
    }
  }
}

function checkArea(area: string): string {
  if (!NAME.test(area))
    throw new InvalidKeyPartError(area, 'an area is lower-case [a-z0-9-], 1-40 characters');
  return area;
}

function checkPart(part: string | number | bigint): string {
  if (typeof part === 'number' && !Number.isFinite(part))
    throw new InvalidKeyPartError(part, 'not a finite number');
  const text = String(part);
  if (text.length === 0) throw new InvalidKeyPartError(part, 'empty');
  if (text.length > MAX_PART) throw new InvalidKeyPartError(part, `longer than ${MAX_PART} characters`);
  if (FORBIDDEN.test(text))
    throw new InvalidKeyPartError(part, 'contains whitespace, a control character, ":" or one of *?[]{}\\');
  return text;
}
