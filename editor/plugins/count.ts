import type { Node } from 'prosemirror-model'
import { Plugin, type PluginView } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'

/** Words and characters, as a word processor counts them. */
export interface TextCount {
  words: number
  characters: number
}

/**
 * Counts words and characters block by block, remembering each block's count by node identity.
 * ProseMirror documents are persistent: an edit creates new nodes only along the path to the
 * change, and y-prosemirror reuses the nodes of blocks a remote edit did not touch. So after a
 * keystroke only the edited textblock is read again, and its ancestors add up their children's
 * remembered counts, instead of reading the whole document's text on every change.
 */
export class TextCounter {
  private readonly counts = new WeakMap<Node, TextCount>()

  count(node: Node): TextCount {
    let count = this.counts.get(node)
    if (count === undefined) {
      count = node.isTextblock || node.isLeaf ? countWords(node) : this.sumOfChildren(node)
      this.counts.set(node, count)
    }
    return count
  }

  private sumOfChildren(node: Node): TextCount {
    const sum = { words: 0, characters: 0 }
    node.forEach((child) => {
      const { words, characters } = this.count(child)
      sum.words += words
      sum.characters += characters
    })
    return sum
  }
}

// Words never span blocks, so counts of separate blocks add up. Inside a textblock, words run
// across marks ("re**use**" is one word), which is why a textblock is read as a whole. Leaves (hard
// breaks, images, rules) read as a line break: they separate words and are not characters.
function countWords(block: Node): TextCount {
  const text = block.isLeaf ? '' : block.textBetween(0, block.content.size, '\n', '\n')
  const words = text.split(/\s+/u).filter((word) => /[\p{L}\p{N}]/u.test(word)).length
  const characters = [...text.replace(/\n/g, '')].length
  return { words, characters }
}

/** Words and characters of a whole document (a one-off count; the count plugin keeps a `TextCounter`). */
export function countText(doc: Node): TextCount {
  return new TextCounter().count(doc)
}

const NUMBER = new Intl.NumberFormat()

function plural(n: number, one: string, many: string): string {
  return `${NUMBER.format(n)} ${n === 1 ? one : many}`
}

/** `[data-quire="count"]`: "12 words · 68 characters", redrawn when the document changes. */
class CountView implements PluginView {
  private readonly el = document.createElement('span')
  private readonly counter = new TextCounter()

  constructor(view: EditorView, host: HTMLElement) {
    this.el.dataset.quire = 'count'
    this.el.className = 'quire-count'
    host.append(this.el)
    this.draw(view.state.doc)
  }

  update(view: EditorView, previous: { doc: Node }): void {
    if (view.state.doc !== previous.doc) this.draw(view.state.doc)
  }

  private draw(doc: Node): void {
    const { words, characters } = this.counter.count(doc)
    const text = `${plural(words, 'word', 'words')} · ${plural(characters, 'character', 'characters')}`
    // Unchanged text is not written again: a DOM write makes the browser lay out the foot anew.
    if (this.el.textContent !== text) this.el.textContent = text
  }

  destroy(): void {
    this.el.remove()
  }
}

/** The word and character count plugin, rendered into `host`. */
export function countPlugin(host: HTMLElement): Plugin {
  return new Plugin({ view: (view) => new CountView(view, host) })
}
