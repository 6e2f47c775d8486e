import { MessagingClientsModule } from '@shop/platform';

/** Commands to the orders service. */
export const ORDERS_CLIENT = Symbol('ORDERS_CLIENT');
/** Commands to the notifications service. */
export const NOTIFICATIONS_CLIENT = Symbol('NOTIFICATIONS_CLIENT');

/** The gateway's clients of other services; inject with `@InjectStreamsClient(ORDERS_CLIENT)`. */
export const serviceClients = MessagingClientsModule.registerClients([
  { name: ORDERS_CLIENT, service: 'orders', timeout: '3s' },
  { name: NOTIFICATIONS_CLIENT, service: 'notifications', timeout: '3s' },
]);
