/**
 * The test harness for lbkit's privileged and interop tiers (private, never published): network-namespace
 * labs with documentation-range addressing, processes inside them, real routing peers, and guaranteed
 * cleanup on every exit path.
 *
 * @packageDocumentation
 */
export {
  BenchReporter,
  describeMachine,
  machineInfo,
  roundTo,
  type BenchColumn,
  type BenchFigure,
  type BenchTableOptions,
  type MachineInfo,
} from './bench.js';
export { privilegedSkip, privilegedSkipWith, hasProgram } from './privilege.js';
export {
  Lab,
  Netns,
  run,
  CommandError,
  sweepStaleNamespaces,
  type ExecResult,
  type LabInit,
  type SpawnInNsOptions,
} from './lab.js';
export {
  BirdPeer,
  GobgpPeer,
  FrrPeer,
  parseBirdRoutes,
  parseGobgpRib,
  waitFor,
  type PeerInit,
  type PeerNeighbor,
  type PeerRoute,
  type PeerRouteSpec,
  type RealBgpPeer,
} from './peers/index.js';
