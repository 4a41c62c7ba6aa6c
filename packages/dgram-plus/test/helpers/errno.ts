import { constants } from 'node:os';

/** Linux errno numbers, as the addon reports them. */
export const os = constants.errno;
