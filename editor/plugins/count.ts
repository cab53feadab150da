import type { Node } from 'prosemirror-model'
import { Plugin, type PluginView } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'

/** Words and characters of a document, as a word processor counts them. */
export function countText(doc: Node): { words: number; characters: number } {
  // Blocks are separated by a newline so that the last word of one and the first of the next stay two words.
  const text = doc.textBetween(0, doc.content.size, '\n', '\n')
  const words = text.split(/\s+/u).filter((word) => /[\p{L}\p{N}]/u.test(word)).length
  const characters = [...text.replace(/\n/g, '')].length
  return { words, characters }
}

const NUMBER = new Intl.NumberFormat()

function plural(n: number, one: string, many: string): string {
  return `${NUMBER.format(n)} ${n === 1 ? one : many}`
}

/** `[data-quire="count"]`: "12 words · 68 characters", redrawn when the document changes. */
class CountView implements PluginView {
  private readonly el = document.createElement('span')

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
    const { words, characters } = countText(doc)
    this.el.textContent = `${plural(words, 'word', 'words')} · ${plural(characters, 'character', 'characters')}`
  }

  destroy(): void {
    this.el.remove()
  }
}

/** The word and character count plugin, rendered into `host`. */
export function countPlugin(host: HTMLElement): Plugin {
  return new Plugin({ view: (view) => new CountView(view, host) })
}
