import { Fragment, type Node } from 'prosemirror-model'
import { prosemirrorToYXmlFragment } from 'y-prosemirror'
import * as Y from 'yjs'
import { FORMATS, type FormatName } from '../../shared/content/formats.js'
import { checkTree } from '../../shared/content/limits.js'
import { markReplaced } from '../../shared/content/replaced.js'
import { CONTENT_FRAGMENT, toNode } from '../../shared/content/ydoc.js'

/**
 * About how many nodes one update of an import adds. The server applies an import's updates to
 * the open document on its event loop, one at a time with I/O between them; at this size each
 * takes well under a second even on a loaded machine, where one update of 100,000 nodes blocked
 * the loop for three.
 */
export const IMPORT_CHUNK_NODES = 5_000

/**
 * The Yjs updates that, applied in order, replace the content of the document whose state is
 * `state` with `text` read as `format`: the whole of an import's work, and all of its cost
 * (parsing, then building the Yjs items). Throws `ContentError` for text that is not that format
 * or is over the import limits. Pure, so it can run in a worker thread.
 *
 * It is one edit, cut into pieces of about `chunkNodes` new nodes. Blocks that the document and
 * the import share at the start and at the end keep their identity (as y-prosemirror's diff
 * keeps them); the first piece removes the blocks in between and each piece appends new blocks
 * before the shared ending. Peers see the import arrive piece by piece. The first piece, which
 * takes the old content away, also marks the document replaced (`markReplaced`).
 */
export function importUpdates(format: FormatName, text: string, state: Uint8Array, chunkNodes = IMPORT_CHUNK_NODES): Uint8Array[] {
  const target = FORMATS[format].parse(text)
  // Each parser refuses what would overflow it; this bounds what Yjs is asked to build.
  checkTree(target, (n) => n.children)
  const ydoc = new Y.Doc()
  try {
    Y.applyUpdate(ydoc, state)
    const updates: Uint8Array[] = []
    ydoc.on('update', (update: Uint8Array) => updates.push(update))
    // Each transaction makes one update.
    let first = true
    for (const stage of stages(toNode(ydoc), target, chunkNodes)) {
      ydoc.transact(() => {
        prosemirrorToYXmlFragment(stage, ydoc.getXmlFragment(CONTENT_FRAGMENT))
        if (first) markReplaced(ydoc, 'import')
      })
      first = false
    }
    return updates
  } finally {
    ydoc.destroy()
  }
}

/** Documents on the way from `current` to `target`, each about `chunkNodes` nodes on from the last; the last is `target`. */
function* stages(current: Node, target: Node, chunkNodes: number): Generator<Node> {
  const before = current.children
  const after = target.children
  let start = 0
  while (start < before.length && start < after.length && before[start]!.eq(after[start]!)) start++
  let shared = 0
  while (shared < before.length - start && shared < after.length - start && before.at(-1 - shared)!.eq(after.at(-1 - shared)!)) shared++
  const ending = before.slice(before.length - shared)
  let nodes = 0
  for (let i = start; i < after.length - shared; i++) {
    nodes += countNodes(after[i]!)
    if (nodes < chunkNodes) continue
    nodes = 0
    if (i + 1 < after.length - shared) yield target.copy(Fragment.fromArray([...after.slice(0, i + 1), ...ending]))
  }
  yield target
}

function countNodes(node: Node): number {
  let count = 1
  node.descendants(() => {
    count++
  })
  return count
}
