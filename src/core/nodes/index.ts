/**
 * The nodes of an SSO system: their keys and addresses in the store, and an SSO
 * administrator's approval, which decides who is given the master secret.
 */

export { type Lease, type LeaseAttempt, leaseIsLive, readLease, releaseLease, tryLease } from './lease.js';
export {
  listNodeRecords,
  listNodes,
  type NodeRecord,
  type NodeState,
  type Registration,
  type RegistrationResult,
  readNodeRecord,
  registerNode,
  setNodeState,
  setRemoteLookup,
} from './registry.js';
