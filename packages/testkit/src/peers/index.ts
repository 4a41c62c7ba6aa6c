export { BirdPeer, parseBirdRoutes } from './bird.js';
export { GobgpPeer, parseGobgpRib } from './gobgp.js';
export { FrrPeer } from './frr.js';
export {
  waitFor,
  type PeerInit,
  type PeerNeighbor,
  type PeerRoute,
  type PeerRouteSpec,
  type RealBgpPeer,
} from './peer.js';
