import type { OwnerReason } from '../owner/choose-owner.js';
import type { MemberChangeReason, MemberView } from '../swim/step.js';

/** Why this member does or does not announce an IP it computed an owner for. */
export type LocalReason = 'owner' | 'not-owner' | 'fenced' | 'isolated' | 'no-lease' | 'conflict-lost' | 'left';

/** Owner of one IP in this member's view. */
export interface OwnerInfo {
  readonly ip: string;
  readonly owner: string | undefined;
  readonly standby: string | undefined;
  /** Why the owner won (MetalLB's rule). */
  readonly reason: OwnerReason;
  /** Whether this member announces the IP now. */
  readonly local: boolean;
  readonly localReason: LocalReason;
}

/** Events of a member, by name. */
export interface MemberEvents {
  /** A member joined, rejoined, or refuted a suspicion. */
  'member-alive': { readonly member: MemberView; readonly reason: MemberChangeReason };
  'member-suspect': { readonly member: MemberView };
  'member-dead': { readonly member: MemberView };
  'member-left': { readonly member: MemberView };
  /** A member's flags changed (fenced, draining), or it was reaped. */
  'member-updated': { readonly member: MemberView; readonly reason: MemberChangeReason };
  /** The owner of an IP, or whether this member announces it, changed. */
  'owner-changed': { readonly info: OwnerInfo; readonly previous: string | undefined };
  /** Fast takeover: this member claimed `ips` from `owner` after missed heartbeats and a failed probe. */
  claim: { readonly owner: string; readonly ips: readonly string[] };
  /** A temporary claim ended because the owner refuted; `ips` go back to the ranking. */
  release: { readonly owner: string; readonly ips: readonly string[]; readonly reason: 'refuted' };
  /** Guard G1 tripped or cleared. */
  fence: { readonly fenced: boolean };
  /** Guard G2 tripped or cleared. */
  isolation: { readonly isolated: boolean };
  /** This member refuted a suspicion about itself. */
  refuted: { readonly incarnation: number; readonly accusedBy: string };
}

/** Names of {@link MemberEvents}. */
export type MemberEventName = keyof MemberEvents;

/** A listener of one member event. */
export type MemberListener<K extends MemberEventName> = (e: MemberEvents[K]) => void;
