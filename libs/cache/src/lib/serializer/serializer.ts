/**
 * JSON with type tags, so values come back from L2 exactly as they went into L1: `Date`, `BigInt`,
 * `Map`, `Set`, `Buffer`, `Uint8Array`, `undefined`, `NaN`/`Infinity`. A plain object that itself has a
 * `$t` key is escaped, so no user data is mistaken for a tag.
 */
const TAG = '$t';

type Tagged = { [TAG]: string; v?: unknown };

/** Set by the replacer when it wrote a tag: only then does reading need the (slower) reviver. */
let wroteTag = false;

function tag(value: Tagged): Tagged {
  wroteTag = true;
  return value;
}

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date)
    return tag({ [TAG]: 'Date', v: Number.isNaN(raw.getTime()) ? null : raw.toISOString() });
  if (typeof raw === 'bigint') return tag({ [TAG]: 'BigInt', v: raw.toString() });
  if (raw === undefined) return tag({ [TAG]: 'U' });
  if (typeof raw === 'number' && !Number.isFinite(raw)) return tag({ [TAG]: 'Num', v: String(raw) });
  if (raw instanceof Map) return tag({ [TAG]: 'Map', v: [...raw.entries()] });
  if (raw instanceof Set) return tag({ [TAG]: 'Set', v: [...raw.values()] });
  if (Buffer.isBuffer(raw)) return tag({ [TAG]: 'Buf', v: raw.toString('base64') });
  if (raw instanceof Uint8Array)
    return tag({
      [TAG]: 'U8',
      v: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64'),
    });
  if (
    raw &&
    typeof raw === 'object' &&
    !Array.isArray(raw) &&
    Object.prototype.hasOwnProperty.call(raw, TAG)
  ) {
    return tag({ [TAG]: 'Esc', v: Object.entries(raw as object) });
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (
    !value ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !Object.prototype.hasOwnProperty.call(value, TAG)
  )
    return value;
  const { [TAG]: type, v } = value as Tagged;
  switch (type) {
    case 'Date':
      return new Date(v === null ? NaN : (v as string));
    case 'BigInt':
      return BigInt(v as string);
    case 'U':
      return undefined;
    case 'Num':
      return Number(v);
    case 'Map':
      return new Map(v as Array<[unknown, unknown]>);
    case 'Set':
      return new Set(v as unknown[]);
    case 'Buf':
      return Buffer.from(v as string, 'base64');
    case 'U8':
      return new Uint8Array(Buffer.from(v as string, 'base64'));
    case 'Esc':
      return Object.fromEntries(v as Array<[string, unknown]>);
    default:
      return value;
  }
}

/**
 * Whether `JSON.stringify` alone writes `value` exactly as the replacer would: only strings, finite
 * numbers, booleans, null, arrays and plain objects (no `$t` key, no `undefined` member), at most
 * `MAX_PLAIN_DEPTH` deep (deeper, or a cycle, takes the replacer's path, which throws for a cycle).
 * A walk in JS costs a fraction of a replacer called from C++ for every member.
 */
function isPlain(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_PLAIN_DEPTH) return false;
      // JSON.stringify calls a toJSON for...in does not see (non-enumerable, or an array's own); what it
      // returns is the replacer's to tag (a Date in it would come back as a string otherwise).
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlain(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false; // Date, Map, Buffer, class, toJSON
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        if (key === TAG || !isPlain((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false; // undefined, bigint, function, symbol
  }
}

const MAX_PLAIN_DEPTH = 32;

/**
 * `{"x":...}` when the text holds tags, `{"j":...}` when it is plain JSON: most cached values are, and
 * `JSON.parse` without a reviver reads them several times faster (this was most of an L2 hit's own CPU).
 * Plain values are written by `JSON.stringify` alone; the replacer only runs for the others.
 */
export function serialize(value: unknown): string {
  if (isPlain(value, 0)) return `{"j":${JSON.stringify(value)}}`;
  wroteTag = false;
  const text = JSON.stringify({ x: value }, replacer);
  return wroteTag ? text : `{"j"${text.slice(4)}`;
}

export function deserialize<T>(text: string): T {
  return text.startsWith('{"j":')
    ? (JSON.parse(text) as { j: T }).j
    : (JSON.parse(text, reviver) as { x: T }).x;
}
