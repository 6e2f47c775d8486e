/** Resolves true when `promise` settles before `deadline` (epoch ms), false at the deadline. Never rejects. */
export function untilDeadline(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>(
      (resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))),
    ),
  ]).finally(() => clearTimeout(timer));
}
