/**
 * What a push must do to one series, as a pure function of what this store recorded, what the
 * lake's head says and what is staged here (PROTOCOL.md, "Push"). No I/O: push.ts does it.
 *
 * A series has one writer. The lake has no compare-and-swap this code can rely on (the S3
 * server the tests use ignores conditional writes), so a second writer cannot be kept out; it is
 * caught instead. Every push writes a fresh random token into its segment and head, and this
 * store remembers the token of the last head it wrote. A head with any other token was written
 * by someone else since: two machines with one client id, or a copy of this store.
 */

/** This store's record of a series (null: none, or it did not check out). */
export interface LocalSeries {
  readonly seq: number;
  readonly token: string;
  readonly verified: boolean;
}

/** The series' head as the lake has it: absent, unreadable, or its number and token. */
export type HeadState = { readonly kind: 'missing' } | { readonly kind: 'damaged' } | { readonly kind: 'present'; readonly seq: number; readonly token: string | null };

/** A push staged in the outbox: its number and the token it will carry. */
export interface StagedPush {
  readonly seq: number;
  readonly token: string;
}

export interface SeriesPushInput {
  readonly local: LocalSeries | null;
  readonly head: HeadState;
  /** At most one normally (a push is staged only once the one before it is committed). */
  readonly staged: readonly StagedPush[];
}

export type SeriesPushPlan =
  /**
   * The series is this store's: commit the staged push the head already names (uploaded, then
   * killed before the local commit), read back the last segment if it was never verified,
   * upload the staged push the lake does not have, then stage and upload what is new.
   */
  | { readonly kind: 'push'; readonly commitOnly: number | null; readonly verify: number | null; readonly upload: number | null; readonly discard: readonly number[]; readonly nextSeq: number }
  /**
   * This store has no record of the series (first push from this store, or its state was lost):
   * read the series back; it is adopted only when every row in it is one of this store's.
   * `rewriteIndex`: the head is missing or unreadable, so adopting also rewrites the index.
   */
  | { readonly kind: 'rebuild'; readonly reason: 'no-record' | 'index-lost'; readonly rewriteIndex: boolean; readonly discard: readonly number[] }
  /** Someone else wrote the series since this store's last push. `verify`: this store's last push, to check it was not overwritten. */
  | { readonly kind: 'conflict'; readonly why: 'other-writer' | 'head-behind'; readonly verify: number | null };

export function planSeriesPush({ local, head, staged }: SeriesPushInput): SeriesPushPlan {
  const sorted = [...staged].sort((a, b) => a.seq - b.seq);
  if (local === null) {
    if (head.kind === 'missing') {
      // A series nobody wrote yet. A staged push can only be a first one (its state was lost
      // with it otherwise): number 1 goes, anything else is rows staged again.
      const first = sorted.find((s) => s.seq === 1) ?? null;
      return { kind: 'push', commitOnly: null, verify: null, upload: first?.seq ?? null, discard: sorted.filter((s) => s !== first).map((s) => s.seq), nextSeq: 1 };
    }
    return { kind: 'rebuild', reason: 'no-record', rewriteIndex: head.kind === 'damaged', discard: sorted.map((s) => s.seq) };
  }
  if (head.kind === 'missing' || head.kind === 'damaged') {
    if (local.seq === 0) return { kind: 'push', commitOnly: null, verify: null, upload: sorted.find((s) => s.seq === 1)?.seq ?? null, discard: sorted.filter((s) => s.seq !== 1).map((s) => s.seq), nextSeq: 1 };
    // This store pushed here, and the lake no longer says so: rewrite the index from what is there.
    return { kind: 'rebuild', reason: 'index-lost', rewriteIndex: true, discard: [] };
  }
  // The head names a staged push by number and token: uploaded, killed before the commit here.
  const landed = sorted.find((s) => s.seq === head.seq && s.token === head.token) ?? null;
  const mine = landed ?? (head.token === local.token && head.seq === local.seq ? local : null);
  if (mine === null) {
    const verify = local.verified ? null : local.seq;
    return { kind: 'conflict', why: head.seq < local.seq ? 'head-behind' : 'other-writer', verify: verify === 0 ? null : verify };
  }
  const pending = sorted.find((s) => s.seq === head.seq + 1) ?? null;
  const verify = local.verified || local.seq === 0 ? null : local.seq;
  return {
    kind: 'push',
    commitOnly: landed?.seq ?? null,
    verify,
    upload: pending?.seq ?? null,
    discard: sorted.filter((s) => s !== landed && s !== pending).map((s) => s.seq),
    nextSeq: head.seq + 1,
  };
}
