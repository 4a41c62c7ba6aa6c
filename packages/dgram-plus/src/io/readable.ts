import type { NativeAddon } from './native.js';

/** What a socket lends {@link handleReadable}: its descriptor and the steps that differ by socket kind. */
export interface ReadableSocket<B> {
  readonly addon: NativeAddon;
  readonly fd: number;
  /** The system call receive errors name (`recvmsg`, `recvfrom(AF_PACKET)`). */
  readonly syscall: string;
  /** True once the socket is closed: nothing more is read or reported. */
  closed(): boolean;
  /** Reads one batch without blocking; undefined when nothing was ready. May throw the read's error. */
  read(): B | undefined;
  /**
   * Hands the batch's items to listeners or the queue, stopping early if the socket closes meanwhile, and
   * returns the errno the read met after the batch (0 for none).
   */
  deliver(batch: B): number;
  /** Counts and reports a receive error; the socket stays open. */
  fail(err: unknown): void;
  /** Starts polling for readability again (libuv stops a handle that reported an error). */
  resume(): void;
}

/**
 * One readiness event of a socket watched for reading: a poll error becomes the socket's pending error and
 * polling resumes; otherwise one batch is read and delivered, and an error met after it is reported.
 */
export function handleReadable<B>(socket: ReadableSocket<B>, status: number): void {
  if (socket.closed()) return;
  if (status !== 0) {
    // libuv reports POLLERR as EBADF and stops the handle; the socket's pending error (ENETDOWN when
    // the interface went down, …) is the real one. Reading it clears it, so polling can resume.
    let errno = status;
    try {
      const c = socket.addon.constants;
      errno = socket.addon.getIntOption(socket.fd, c.SOL_SOCKET, c.SO_ERROR, 'SO_ERROR') || status;
    } catch {
      /* keep the poll status */
    }
    socket.fail(receiveFailed(errno, socket.syscall));
    if (!socket.closed()) socket.resume();
    return;
  }
  let batch: B | undefined;
  try {
    batch = socket.read();
  } catch (err) {
    socket.fail(err);
    return;
  }
  if (batch === undefined) return;
  const pendingErrno = socket.deliver(batch);
  if (pendingErrno !== 0 && !socket.closed()) socket.fail(receiveFailed(pendingErrno, socket.syscall));
}

function receiveFailed(errno: number, syscall: string): Error {
  return Object.assign(new Error('receive failed'), { errno, syscall });
}
