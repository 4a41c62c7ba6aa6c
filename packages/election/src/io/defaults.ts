import { randomBytes } from 'node:crypto';
import type { RandomBytes } from '../wire/keyring.js';

/** Real randomness for production members: `crypto.randomBytes`. */
export const systemRandomBytes: RandomBytes = (n) => new Uint8Array(randomBytes(n));

/** Real randomness for protocol choices (probe order, helper choice). */
export const systemRandom = (): number => Math.random();
