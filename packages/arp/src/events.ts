/** A small typed event emitter: `on(kind, listener)` with the payload type of each kind. */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events & string, Set<(e: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events & string>(kind: K, listener: (event: Events[K]) => void): () => void {
    let set = this.#listeners.get(kind);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(kind, set);
    }
    set.add(listener as (e: never) => void);
    return () => this.off(kind, listener);
  }

  /** Removes a listener added with {@link TypedEmitter.on}. */
  off<K extends keyof Events & string>(kind: K, listener: (event: Events[K]) => void): void {
    this.#listeners.get(kind)?.delete(listener as (e: never) => void);
  }

  protected emit<K extends keyof Events & string>(kind: K, event: Events[K]): void {
    const set = this.#listeners.get(kind);
    if (set === undefined) return;
    for (const l of [...set]) (l as (e: Events[K]) => void)(event);
  }
}
