import { randomUUID } from 'node:crypto';
import { CodedError } from '@shop/util';

/**
 * What travels in one stream entry (field `m`, JSON). Commands carry `replyTo` and a `deadline` (epoch
 * ms; a receiver drops a command whose caller has given up); events carry neither.
 */
export interface Envelope {
  /** Unique message id: the correlation id of a command, the dedupe id of an event. */
  id: string;
  pattern: string;
  data: unknown;
  /** `<service>:<instance>` of the producer. */
  sender: string;
  /** Epoch ms when produced. */
  ts: number;
  replyTo?: string;
  deadline?: number;
  /** The correlation id of the request that caused it (the HTTP request at the gateway), for logs. */
  requestId?: string;
}

/** A reply to a command, written to the caller's reply stream. */
export interface ReplyEnvelope {
  id: string;
  response?: unknown;
  error?: { code: string; message: string; remoteCode?: string; status?: number };
}

export const ENVELOPE_FIELD = 'm';

export function newMessageId(): string {
  return randomUUID();
}

/** Thrown for an entry that is not an envelope; such entries go to the dead-letter stream at once. */
export class UndecodableMessageError extends CodedError<'E_UNDECODABLE_MESSAGE'> {
  constructor(reason: string) {
    super('E_UNDECODABLE_MESSAGE', `undecodable stream entry: ${reason}`);
  }
}

/** Reads the envelope out of an entry's flat `[field, value, ...]` list. */
export function decodeEnvelope(fields: string[]): Envelope {
  const index = fields.indexOf(ENVELOPE_FIELD);
  if (index === -1 || index % 2 !== 0) throw new UndecodableMessageError(`no "${ENVELOPE_FIELD}" field`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fields[index + 1]);
  } catch (err) {
    throw new UndecodableMessageError(`not JSON (${(err as Error).message})`);
  }
  const e = parsed as Partial<Envelope>;
  if (
    !e ||
    typeof e !== 'object' ||
    typeof e.id !== 'string' ||
    typeof e.pattern !== 'string' ||
    typeof e.sender !== 'string'
  ) {
    throw new UndecodableMessageError('missing id, pattern or sender');
  }
  return e as Envelope;
}

export function encode(value: Envelope | ReplyEnvelope): string[] {
  return [ENVELOPE_FIELD, JSON.stringify(value)];
}
