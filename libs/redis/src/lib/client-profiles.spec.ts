import { profileOptions, reconnectDelay } from './client-profiles';

const timings = { commandTimeoutMs: 300, connectTimeoutMs: 1000, maxReconnectDelayMs: 2000 };

describe('client profiles', () => {
  it('request profile fails fast: no offline queue, a command timeout, no retries', () => {
    expect(profileOptions('request', timings)).toMatchObject({
      protocol: 2,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 300,
    });
  });

  it('background profile queues and retries forever without a command timeout', () => {
    const options = profileOptions('background', timings);
    expect(options).toMatchObject({ protocol: 2, enableOfflineQueue: true, maxRetriesPerRequest: null });
    expect(options.commandTimeout).toBeUndefined();
  });

  it('reconnect backoff grows and stays under the cap', () => {
    for (let attempt = 1; attempt < 40; attempt++) {
      const delay = reconnectDelay(attempt, 2000);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(2000);
    }
    expect(reconnectDelay(1, 2000)).toBeLessThanOrEqual(50);
    expect(reconnectDelay(30, 2000)).toBeGreaterThanOrEqual(1000);
  });
});
