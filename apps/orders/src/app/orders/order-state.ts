import { canTransition, ERROR_CODES, type Order, type OrderStatus } from '@shop/contracts';
import { DomainError } from '@shop/messaging';
import { invalidTransition, itemsNotEditable, versionConflict } from '../common/domain-errors';

/** One accepted status step, kept until it is persisted (its event is emitted then). */
export interface StatusStep {
  from: OrderStatus;
  to: OrderStatus;
  at: string;
}

/**
 * An order's status and tracking note as the write-behind register holds them: the current values plus
 * the status steps accepted since the last persisted state. The machine is acyclic (at most three
 * steps per order), so the list stays tiny; a persist emits the steps after the row's own status.
 */
export interface OrderState {
  status: OrderStatus;
  note: string | null;
  steps: StatusStep[];
  /**
   * An item update in progress holds this lease (a token and an expiry, host ms): no payment is accepted
   * until it has committed and released it, so the lines paid for are the lines in SQL.
   */
  editing?: { token: string; until: number };
}

const busy = (id: string): DomainError =>
  new DomainError(ERROR_CODES.busy, `the items of order ${id} are being changed; try again`, 409);

const liveLease = (s: OrderState, now: number) =>
  s.editing && s.editing.until > now ? s.editing : undefined;

/** The register's value for one change, from its current value (`waiting`: not yet persisted). */
export function withStatus(
  base: OrderState,
  waiting: boolean,
  id: string,
  to: OrderStatus,
  at: string,
): OrderState {
  if (!canTransition(base.status, to)) throw invalidTransition(id, base.status, to);
  if (to === 'paid' && liveLease(base, Date.parse(at))) throw busy(id);
  return {
    status: to,
    note: base.note,
    steps: [...(waiting ? base.steps : []), { from: base.status, to, at }],
    ...(base.editing && { editing: base.editing }),
  };
}

export function withNote(base: OrderState, waiting: boolean, note: string): OrderState {
  return {
    status: base.status,
    note,
    steps: waiting ? base.steps : [],
    ...(base.editing && { editing: base.editing }),
  };
}

/** Takes the item-update lease: only on a pending order, one update at a time. */
export function withEditing(
  base: OrderState,
  waiting: boolean,
  id: string,
  token: string,
  now: number,
  ttlMs: number,
): OrderState {
  if (base.status !== 'pending') throw itemsNotEditable(id, base.status);
  if (liveLease(base, now)) throw busy(id);
  return {
    status: base.status,
    note: base.note,
    steps: waiting ? base.steps : [],
    editing: { token, until: now + ttlMs },
  };
}

/**
 * The caller's `expectedVersion` against the order it read. Called inside a register step after the
 * state's own checks (`withStatus`, `withEditing`): a change the current state refuses is answered by
 * that refusal whatever the version, since `E_VERSION_CONFLICT` tells the client to read again and
 * retry, and on a paid, shipped or cancelled order no retry can apply.
 */
export function checkVersion(order: Order, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && order.version !== expectedVersion)
    throw versionConflict('order', order.id, expectedVersion, order.version);
}

/** Releases the lease if it is still this token's. */
export function withoutEditing(base: OrderState, waiting: boolean, token: string): OrderState {
  const { editing, ...rest } = base;
  return {
    ...rest,
    steps: waiting ? base.steps : [],
    ...(editing && editing.token !== token && { editing }),
  };
}

/** The steps a row at `rowStatus` has not seen yet: those after its status in the chain. */
export function unseenSteps(state: OrderState, rowStatus: OrderStatus): StatusStep[] {
  if (state.status === rowStatus) return [];
  const start = state.steps.findIndex((s) => s.from === rowStatus);
  return start === -1 ? [] : state.steps.slice(start);
}

/** The register's value for an order that has none yet: its row as it is. */
export const stateOf = (order: Order): OrderState => ({
  status: order.status,
  note: order.trackingNote ?? null,
  steps: [],
});

/**
 * The order with the register's status and note: every status and note change goes through the
 * register, so it is never older than the row; `version` stays the persisted one.
 */
export function withCurrentState(order: Order, current: { value: OrderState } | undefined): Order {
  if (!current) return order;
  const { status, note } = current.value;
  const { trackingNote: _old, ...rest } = order;
  return { ...rest, status, ...(note !== null && { trackingNote: note }) };
}
