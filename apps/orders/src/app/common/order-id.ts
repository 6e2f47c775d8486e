import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case
let lastMs = 0;
let lastRandom: Buffer = Buffer.alloc(10);

/**
 * `ord_` + 26 base32 characters: 48 bits of ms time then 80 random bits (ULID layout), so ids sort by
 * creation and list cursors need no second column. Within one ms the random part is incremented, so
 * ids from one process stay ordered; ids of different instances in the same ms sort arbitrarily.
 */
export function newOrderId(now = Date.now()): string {
  if (now <= lastMs) {
    now = lastMs;
    lastRandom = increment(lastRandom);
  } else {
    lastMs = now;
    lastRandom = randomBytes(10);
  }
  const bytes = Buffer.concat([Buffer.from(now.toString(16).padStart(12, '0'), 'hex'), lastRandom]);
  return `ord_${base32(bytes)}`;
}

function increment(b: Buffer): Buffer {
  const out = Buffer.from(b);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === 0xff) out[i] = 0;
    else {
      out[i]++;
      break;
    }
  }
  return out;
}

/** 16 bytes -> 26 characters (128 bits, the first character carries 3 bits). */
function base32(bytes: Buffer): string {
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < 26; i++) {
    out = ALPHABET[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}
