// The worker side of WorkerMember: owns the member (UDP socket, timers, SWIM state) so main-thread stalls
// never delay probes, acks or heartbeats. Talks to the main thread through parentPort messages only.
import { parentPort, workerData } from 'node:worker_threads';
import { createMember, type MemberInit } from '../member/member.js';
import type { MemberEventName } from '../member/events.js';

const EVENTS: MemberEventName[] = [
  'member-alive',
  'member-suspect',
  'member-dead',
  'member-left',
  'member-updated',
  'owner-changed',
  'claim',
  'release',
  'fence',
  'isolation',
  'refuted',
];

interface Command {
  readonly id: number;
  readonly cmd:
    | 'start'
    | 'stop'
    | 'leave'
    | 'setAddresses'
    | 'reportConflict'
    | 'stats'
    | 'members'
    | 'setDraining'
    | 'setLeaseHeld'
    | 'join';
  readonly args: unknown[];
}

const port = parentPort;
if (port === null) throw new Error('worker-entry must run in a worker thread');
const member = createMember(workerData as MemberInit);
for (const name of EVENTS) member.on(name, (payload) => port.postMessage({ type: 'event', name, payload }));

port.on('message', (m: Command) => {
  void (async () => {
    try {
      let result: unknown;
      switch (m.cmd) {
        case 'start':
          await member.start();
          result = { address: member.address, incarnation: member.incarnation, members: member.members() };
          break;
        case 'stop':
          await member.stop();
          break;
        case 'leave':
          await member.leave(m.args[0] as number | undefined);
          break;
        case 'setAddresses':
          member.setAddresses(m.args[0] as never);
          break;
        case 'reportConflict':
          result = member.reportConflict(m.args[0] as string, m.args[1] as string);
          break;
        case 'stats':
          result = member.stats();
          break;
        case 'members':
          result = member.members();
          break;
        case 'setDraining':
          member.setDraining(m.args[0] as boolean);
          break;
        case 'setLeaseHeld':
          member.setLeaseHeld(m.args[0] as boolean);
          break;
        case 'join':
          member.join(m.args[0] as string[]);
          break;
      }
      port.postMessage({ type: 'result', id: m.id, result });
    } catch (err) {
      port.postMessage({ type: 'result', id: m.id, error: err instanceof Error ? err.message : String(err) });
    }
  })();
});
