import * as Y from 'yjs'

type Range = { clock: number; len: number }

/**
 * A version stores its Yjs snapshot (state vector + delete set) as a *delta* against the version
 * before it. Delete sets only grow and a full one is tens of KB late in a long document's life,
 * so storing each whole would make history cost many times the document; deltas add up to about
 * one delete set. A version's snapshot is the union of its delta and every earlier one.
 */
export function snapshotDelta(before: Y.Snapshot, after: Y.Snapshot): Y.Snapshot {
  const sv = new Map<number, number>()
  for (const [client, clock] of after.sv) if (clock > (before.sv.get(client) ?? 0)) sv.set(client, clock)
  const ds = Y.createDeleteSet()
  for (const [client, ranges] of after.ds.clients) {
    const added = subtract(normalized(ranges), normalized(before.ds.clients.get(client) ?? []))
    if (added.length > 0) ds.clients.set(client, added)
  }
  return Y.createSnapshot(ds, sv)
}

/** The union of snapshots or deltas: the state that holds everything any of them holds. */
export function unionOf(snapshots: Y.Snapshot[]): Y.Snapshot {
  const sv = new Map<number, number>()
  for (const { sv: each } of snapshots) for (const [client, clock] of each) sv.set(client, Math.max(clock, sv.get(client) ?? 0))
  return Y.createSnapshot(Y.mergeDeleteSets(snapshots.map((s) => s.ds)), sv)
}

/** Whether a delta adds nothing: the state did not change. */
export function isEmptyDelta(delta: Y.Snapshot): boolean {
  return delta.sv.size === 0 && delta.ds.clients.size === 0
}

/** Sorted, with overlapping and adjacent ranges joined. */
function normalized(ranges: Range[]): Range[] {
  const out: Range[] = []
  for (const { clock, len } of [...ranges].sort((a, b) => a.clock - b.clock)) {
    const last = out.at(-1)
    if (last && clock <= last.clock + last.len) last.len = Math.max(last.len, clock + len - last.clock)
    else out.push({ clock, len })
  }
  return out
}

/** The parts of `ranges` not covered by `minus` (both normalized). */
function subtract(ranges: Range[], minus: Range[]): Range[] {
  const out: Range[] = []
  let j = 0
  for (const range of ranges) {
    let start = range.clock
    const end = range.clock + range.len
    while (j < minus.length && minus[j]!.clock + minus[j]!.len <= start) j++
    for (let k = j; k < minus.length && minus[k]!.clock < end; k++) {
      const m = minus[k]!
      if (m.clock > start) out.push({ clock: start, len: m.clock - start })
      start = Math.max(start, m.clock + m.len)
    }
    if (start < end) out.push({ clock: start, len: end - start })
  }
  return out
}
