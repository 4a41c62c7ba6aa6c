/**
 * Test beds for election and for packages that depend on it: a deterministic simulated network and a
 * cluster of members on it.
 *
 * @packageDocumentation
 */
export { SimNetwork, type LinkOptions, type SimNetworkInit, type SimNetworkStats } from './sim-network.js';
export { SimCluster, testIps, type SimClusterInit } from './sim-cluster.js';
export { runKillTrials, quantile, type KillTrialResult, type KillTrialOptions } from './trials.js';
