import { IMPORT_LIMITS } from '../defaults.js'

/** Content that could not be read as the format it claimed to be, or is over the import limits; the message says why. */
export class ContentError extends Error {
  override name = 'ContentError'
}

/** Content refused for its size or nesting rather than its form: HTTP 413 rather than 400. */
export class ContentLimitError extends ContentError {
  override name = 'ContentLimitError'
}

/** How deep and how big an imported document may be. */
export interface TreeLimits {
  /** Deepest nesting, counted in levels below the root. */
  maxDepth: number
  /** Most nodes, the root included. */
  maxNodes: number
}

/**
 * Throws `ContentLimitError` when the tree under `root` is nested deeper or holds more nodes than
 * `limits` allow. The walk is iterative, so it is safe on exactly the trees it refuses: the
 * recursive walks of ProseMirror's parsers overflow the stack on 20,000 nested blockquotes, and a
 * few hundred thousand nodes become millions of Yjs items.
 */
export function checkTree<T>(root: T, children: (node: T) => Iterable<T>, limits: TreeLimits = IMPORT_LIMITS): void {
  const stack: Array<[T, number]> = [[root, 0]]
  let nodes = 0
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (depth > limits.maxDepth) throw new ContentLimitError(`the document is nested more than ${limits.maxDepth} levels deep`)
    if (++nodes > limits.maxNodes) throw new ContentLimitError(`the document has more than ${limits.maxNodes} nodes`)
    for (const child of children(node)) stack.push([child, depth + 1])
  }
}

/**
 * Throws `ContentLimitError` when `text` has more lines than a document may have nodes: in text and
 * Markdown every block takes a line, so this refuses a flood of blocks before any is built.
 */
export function checkLines(text: string, limits: TreeLimits = IMPORT_LIMITS): void {
  let lines = 1
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) {
    if (++lines > limits.maxNodes) throw new ContentLimitError(`the document has more than ${limits.maxNodes} lines`)
  }
}
