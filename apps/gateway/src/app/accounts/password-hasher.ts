import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * scrypt from Node's crypto (no native add-on to build): a per-password random salt and the cost
 * parameters stored with the hash (`scrypt$<logN>$<r>$<p>$<salt>$<hash>`), so raising the cost later
 * keeps old hashes verifiable and `needsRehash` tells when to upgrade one. Comparison is constant-time.
 */
export class PasswordHasher {
  constructor(private readonly logN: number) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH);
    const key = await derive(password, salt, this.logN, BLOCK_SIZE, PARALLELISM);
    return [
      'scrypt',
      this.logN,
      BLOCK_SIZE,
      PARALLELISM,
      salt.toString('base64'),
      key.toString('base64'),
    ].join('$');
  }

  /** False for a wrong password and for a hash this class cannot read (never throws on bad input). */
  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parseHash(stored);
    if (!parsed) return false;
    const key = await derive(password, parsed.salt, parsed.logN, parsed.r, parsed.p);
    return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  }

  /** Whether a hash was made with other parameters than today's (rehash it after a good login). */
  needsRehash(stored: string): boolean {
    const parsed = parseHash(stored);
    return !parsed || parsed.logN !== this.logN || parsed.r !== BLOCK_SIZE || parsed.p !== PARALLELISM;
  }
}

function parseHash(stored: string) {
  const [scheme, logN, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return undefined;
  const numbers = [Number(logN), Number(r), Number(p)];
  if (!numbers.every((n) => Number.isInteger(n) && n > 0) || numbers[0] > 24) return undefined;
  return {
    logN: numbers[0],
    r: numbers[1],
    p: numbers[2],
    salt: Buffer.from(salt, 'base64'),
    key: Buffer.from(key, 'base64'),
  };
}
