/** Real randomness, the default `random` component of a speaker (used only to seed timer jitter). */
export const defaultRandom: () => number = () => Math.random();
