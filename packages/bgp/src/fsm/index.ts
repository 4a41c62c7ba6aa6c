export { createFsm, stepFsm, nextDeadline, dueTimers, OPEN_HOLD_TIME_S } from './fsm.js';
export { collisionLoser } from './collision.js';
export type {
  SessionState,
  TimerName,
  ConnectionDirection,
  TransitionReason,
  FsmConfig,
  FsmTimers,
  FsmState,
  FsmEvent,
  FsmAction,
  FsmTransition,
  FsmStep,
} from './types.js';
