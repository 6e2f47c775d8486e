/**
 * What a harness has started so far, to undo it if a later step fails: a stack whose third process does
 * not come up must still stop the two Redis servers and the databases it already has (Jest runs no
 * `afterAll` dispose for a value `beforeAll` never returned).
 */
export class Teardown {
  private readonly steps: Array<() => unknown> = [];

  /** Registers how to dispose `resource` and returns it. */
  add<T>(resource: T, dispose: (resource: T) => unknown): T {
    this.steps.push(() => dispose(resource));
    return resource;
  }

  /** Runs every step, the last registered first; every step runs even if one throws. */
  async run(): Promise<void> {
    const errors: unknown[] = [];
    while (this.steps.length) {
      const step = this.steps.pop() as () => unknown;
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw new AggregateError(errors, 'teardown failed');
  }

  /** Runs `start`; if it throws, undoes what was registered meanwhile and rethrows its error. */
  async undoOnFailure<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (err) {
      await this.run().catch(() => undefined);
      throw err;
    }
  }
}
