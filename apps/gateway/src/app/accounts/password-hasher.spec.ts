import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(10);

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    await expect(hasher.verify('correct horse battery', hash)).resolves.toBe(true);
    await expect(hasher.verify('correct horse batterz', hash)).resolves.toBe(false);
  });

  it('salts each hash: the same password hashes differently', async () => {
    expect(await hasher.hash('same password')).not.toBe(await hasher.hash('same password'));
  });

  it('reads the parameters from the hash, so a cost change keeps old hashes valid and flags them', async () => {
    const old = await new PasswordHasher(11).hash('an older password');
    await expect(hasher.verify('an older password', old)).resolves.toBe(true);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('x'.repeat(10)))).toBe(false);
  });

  it('answers false, never throws, for garbage hashes', async () => {
    for (const bad of ['', 'bcrypt$x', 'scrypt$99$8$1$AA$AA', 'scrypt$a$b$c$d$e', 'scrypt$10$8$1$$'])
      await expect(hasher.verify('whatever password', bad)).resolves.toBe(false);
  });
});
