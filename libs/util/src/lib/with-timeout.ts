/**
 * `promise`, or a rejection with `error()` once `ms` have passed (the work itself is not cancelled). One
 * promise and one timer per call: this sits on request paths, where `Promise.race` plus `.finally`
 * allocated three more. A non-finite or non-positive `ms` means no bound.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  if (!Number.isFinite(ms) || ms <= 0) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
