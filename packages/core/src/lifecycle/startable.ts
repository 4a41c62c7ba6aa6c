/**
 * A long-lived object with a lifecycle. Starting a started object, or stopping a stopped one, does nothing;
 * concurrent calls share the one transition under way.
 */
export interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
  isStarted(): boolean;
}

/**
 * A base for {@link Startable} objects: subclasses implement `onStart` and `onStop`, and this class makes
 * the calls idempotent and serialised. If `onStart` throws, the object stays stopped.
 */
export abstract class StartableBase implements Startable {
  #started = false;
  #transition: Promise<void> = Promise.resolve();

  protected abstract onStart(): Promise<void> | void;
  protected abstract onStop(): Promise<void> | void;

  isStarted(): boolean {
    return this.#started;
  }

  start(): Promise<void> {
    const next = this.#transition
      .catch(() => undefined)
      .then(async () => {
        if (this.#started) return;
        await this.onStart();
        this.#started = true;
      });
    this.#transition = next;
    return next;
  }

  stop(): Promise<void> {
    const next = this.#transition
      .catch(() => undefined)
      .then(async () => {
        if (!this.#started) return;
        this.#started = false;
        await this.onStop();
      });
    this.#transition = next;
    return next;
  }
}

/** Starts each object in order; if one fails, stops those already started (in reverse) and rethrows. */
export async function startAll(items: readonly Startable[]): Promise<void> {
  const done: Startable[] = [];
  try {
    for (const item of items) {
      await item.start();
      done.push(item);
    }
  } catch (err) {
    await stopAll(done);
    throw err;
  }
}

/** Stops each object in reverse order; every one is stopped even if an earlier one fails; the first error is rethrown. */
export async function stopAll(items: readonly Startable[]): Promise<void> {
  let first: unknown;
  let failed = false;
  for (const item of [...items].reverse()) {
    try {
      await item.stop();
    } catch (err) {
      if (!failed) first = err;
      failed = true;
    }
  }
  if (failed) throw first;
}
