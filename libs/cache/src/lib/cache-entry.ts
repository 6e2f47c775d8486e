import { deserialize, serialize } from './serializer/serializer';

/** Version of the L2 entry format; an entry with another version is ignored (treated as a miss). */
export const ENTRY_FORMAT = 1;

/** What L2 stores per key (JSON): the value and what is needed to validate it. */
export interface StoredEntry {
  f: typeof ENTRY_FORMAT;
  /** The value, serialized with type tags. */
  v: unknown;
  /** Tag versions at write time. */
  t: Record<string, number>;
  /** Logical expiry, epoch ms. */
  e: number;
  /** End of grace, epoch ms. */
  g: number;
  /** Written at, epoch ms. */
  c: number;
}

export function encodeEntry(entry: StoredEntry): string {
  return serialize(entry);
}

/** Undefined for an entry of another format or an unreadable one. */
export function decodeEntry(text: string): StoredEntry | undefined {
  try {
    const entry = deserialize<StoredEntry>(text);
    return entry && entry.f === ENTRY_FORMAT ? entry : undefined;
  } catch {
    return undefined;
  }
}
