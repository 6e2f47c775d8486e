import { streamsClientProvider } from '@shop/platform';

/** Commands to the orders service. */
export const ORDERS_CLIENT = Symbol('ORDERS_CLIENT');
/** Commands to the notifications service. */
export const NOTIFICATIONS_CLIENT = Symbol('NOTIFICATIONS_CLIENT');

export const serviceClients = [
  streamsClientProvider(ORDERS_CLIENT, 'orders', 3000),
  streamsClientProvider(NOTIFICATIONS_CLIENT, 'notifications', 3000),
];
