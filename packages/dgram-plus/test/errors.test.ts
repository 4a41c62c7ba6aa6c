import t from 'tap';
import { os } from './helpers/errno.js';
import { InterfaceNotFoundError, PermissionDeniedError, SocketError, toSocketError } from '../src/index.js';

const sys = (errno: number, syscall: string): Error =>
  Object.assign(new Error(`${syscall} failed`), { errno, syscall });

t.test('addon errors map to LbError classes with the errno name and advice', async (t) => {
  const table = [
    {
      name: 'EPERM with a capability',
      err: sys(os.EPERM, 'socket(AF_PACKET)'),
      ctx: { operation: 'open a packet socket on eth0', capability: 'CAP_NET_RAW' as const },
      cls: PermissionDeniedError,
      code: 'ERR_SOCKET_PERMISSION',
      errno: 'EPERM',
      msg: /CAP_NET_RAW.*setcap cap_net_raw\+ep.*NET_RAW/,
    },
    {
      name: 'EACCES binding a low port',
      err: sys(os.EACCES, 'bind'),
      ctx: { operation: 'bind TCP port 179', capability: 'CAP_NET_BIND_SERVICE' as const },
      cls: PermissionDeniedError,
      code: 'ERR_SOCKET_PERMISSION',
      errno: 'EACCES',
      msg: /CAP_NET_BIND_SERVICE/,
    },
    {
      name: 'ENODEV with an interface',
      err: sys(os.ENODEV, 'bind(AF_PACKET)'),
      ctx: { operation: 'open', interface: 'eth9' },
      cls: InterfaceNotFoundError,
      code: 'ERR_NO_SUCH_INTERFACE',
      errno: 'ENODEV',
      msg: /"eth9".*ip link/,
    },
    {
      name: 'EADDRINUSE',
      err: sys(os.EADDRINUSE, 'bind'),
      ctx: { operation: 'bind UDP port 3784' },
      cls: SocketError,
      code: 'ERR_SOCKET',
      errno: 'EADDRINUSE',
      msg: /bind UDP port 3784: EADDRINUSE from bind: another socket/,
    },
    {
      name: 'EADDRNOTAVAIL',
      err: sys(os.EADDRNOTAVAIL, 'bind'),
      ctx: { operation: 'bind' },
      cls: SocketError,
      code: 'ERR_SOCKET',
      errno: 'EADDRNOTAVAIL',
      msg: /freebind/,
    },
    {
      name: 'EPERM without a known capability',
      err: sys(os.EPERM, 'setsockopt(X)'),
      ctx: { operation: 'set X' },
      cls: SocketError,
      code: 'ERR_SOCKET',
      errno: 'EPERM',
      msg: /set X: EPERM/,
    },
  ];
  for (const row of table) {
    const e = toSocketError(row.err, row.ctx);
    t.ok(e instanceof row.cls, `${row.name}: class`);
    t.equal((e as SocketError).code, row.code, `${row.name}: code`);
    t.equal((e as SocketError).errno, row.errno, `${row.name}: errno`);
    t.match(e.message, row.msg, `${row.name}: message`);
    t.equal((e as SocketError).cause, row.err, `${row.name}: cause kept`);
  }
  const perm = toSocketError(sys(os.EPERM, 'socket'), {
    operation: 'x',
    capability: 'CAP_NET_ADMIN',
  }) as PermissionDeniedError;
  t.equal(perm.capability, 'CAP_NET_ADMIN');
  const plain = new TypeError('not a system error');
  t.equal(toSocketError(plain, { operation: 'x' }), plain, 'other errors pass through');
});
