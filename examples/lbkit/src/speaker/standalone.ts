import { statSync } from 'node:fs';
import type { Logger } from '@lbkit/core';
import { expandPaths, loadObjects } from '../objects/load-yaml.js';
import { readState, withState } from '../standalone/state-file.js';
import type { NodeSpeaker } from './node-speaker.js';

/**
 * Feeds a {@link NodeSpeaker} from files: the same YAML objects the controller reads, with the Service
 * statuses from the controller's state file. Re-read whenever a file's modification time or size changes.
 */
export class StandaloneFeed {
  readonly #files: readonly string[];
  readonly #stateFile: string;
  readonly #speaker: NodeSpeaker;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #fingerprint = '';
  #busy = false;

  constructor(
    init: { files: readonly string[]; stateFile: string; pollMs?: number },
    components: { speaker: NodeSpeaker; logger: Logger },
  ) {
    this.#files = init.files;
    this.#stateFile = init.stateFile;
    this.#speaker = components.speaker;
    this.#log = components.logger;
    this.#pollMs = init.pollMs ?? 100;
  }

  readonly #pollMs: number;

  /** Reads everything now and applies it. */
  async pass(): Promise<void> {
    const loaded = loadObjects(this.#files);
    for (const p of loaded.problems) this.#log.warn({ file: p.file, document: p.document }, p.message);
    await this.#speaker.update(withState(loaded.objects, readState(this.#stateFile)));
  }

  start(): void {
    const tick = (): void => {
      if (this.#busy) return;
      const fp = this.#fingerprintNow();
      if (fp === this.#fingerprint) return;
      this.#busy = true;
      this.pass()
        .then(() => {
          this.#fingerprint = fp;
        })
        .catch((err: unknown) => this.#log.error({ err: (err as Error).message }, 'speaker update failed; retrying'))
        .finally(() => {
          this.#busy = false;
        });
    };
    tick();
    this.#timer = setInterval(tick, this.#pollMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #fingerprintNow(): string {
    return [...expandPaths(this.#files), this.#stateFile]
      .map((f) => {
        try {
          const s = statSync(f);
          return `${f}:${s.mtimeMs}:${s.size}`;
        } catch {
          return `${f}:-`;
        }
      })
      .join('|');
  }
}
