import { ConflictException, Injectable } from '@nestjs/common';
import type { Role } from '@shop/contracts';
import { randomBytes } from 'node:crypto';
import type { Account } from './account';
import { AccountsRepository, type AccountRow } from './accounts.repository';
import { PasswordHasher } from './password-hasher';

/** `u_` + 128 random bits: opaque, safe in keys and tags (`USER_ID_PATTERN`), not guessable. */
function newAccountId(): string {
  return `u_${randomBytes(16).toString('base64url')}`;
}

const toAccount = (row: AccountRow): Account => ({ id: row.id, username: row.username, role: row.role });

@Injectable()
export class AccountsService {
  /** Verified when the username is unknown, so that answer takes as long as a wrong password. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly repo: AccountsRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async register(username: string, password: string, role: Role = 'customer'): Promise<Account> {
    const now = new Date().toISOString();
    const row: AccountRow = {
      id: newAccountId(),
      username,
      password_hash: await this.hasher.hash(password),
      role,
      created_at: now,
      updated_at: now,
    };
    if (!(await this.repo.insert(row)))
      throw new ConflictException({ message: `username "${username}" is taken`, code: 'E_USERNAME_TAKEN' });
    return toAccount(row);
  }

  /**
   * The account if the password is right, else undefined — the same answer, after the same work, for an
   * unknown username and a wrong password. A hash made with older parameters is upgraded here.
   */
  async authenticate(username: string, password: string): Promise<Account | undefined> {
    const row = await this.repo.byUsername(username);
    if (!row) {
      this.dummyHash ??= this.hasher.hash(randomBytes(16).toString('hex'));
      await this.hasher.verify(password, await this.dummyHash);
      return undefined;
    }
    if (!(await this.hasher.verify(password, row.password_hash))) return undefined;
    if (this.hasher.needsRehash(row.password_hash))
      await this.repo.update(row.id, { password_hash: await this.hasher.hash(password) });
    return toAccount(row);
  }

  /**
   * Creates the admin account or makes it an admin with this password (at every start). `changed`: an
   * existing account got the admin role or a new password, so sessions opened before hold a role or a
   * credential that is no longer its own (the caller ends them).
   */
  async ensureAdmin(
    username: string,
    password: string,
  ): Promise<{ created: boolean; changed: boolean; id: string }> {
    const existing = await this.repo.byUsername(username);
    if (!existing) {
      try {
        const created = await this.register(username, password, 'admin');
        return { created: true, changed: false, id: created.id };
      } catch (err) {
        // Another instance created it at the same moment: update it like an existing one.
        if (!(err instanceof ConflictException)) throw err;
      }
    }
    const row = existing ?? (await this.repo.byUsername(username));
    if (!row) throw new Error(`admin account "${username}" vanished while being created`);
    const samePassword = await this.hasher.verify(password, row.password_hash);
    const rehash = !samePassword || this.hasher.needsRehash(row.password_hash);
    if (rehash || row.role !== 'admin')
      await this.repo.update(row.id, {
        role: 'admin',
        ...(rehash ? { password_hash: await this.hasher.hash(password) } : {}),
      });
    // A rehash of the same password (new scrypt parameters) changes no credential.
    return { created: false, changed: !samePassword || row.role !== 'admin', id: row.id };
  }

  usernames(ids: readonly string[]): Promise<Map<string, string>> {
    return this.repo.usernames(ids);
  }
}
