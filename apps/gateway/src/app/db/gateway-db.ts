import type { Role } from '@shop/contracts';

/** Who may log in: the gateway's own table (the orders service never sees passwords). */
export interface AccountTable {
  id: string;
  /** Case-folded at registration, unique. */
  username: string;
  /** `scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>`: the parameters travel with the hash. */
  password_hash: string;
  role: Role;
  created_at: string;
  updated_at: string;
}

export interface GatewayDb {
  account: AccountTable;
}
