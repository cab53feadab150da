import { Plugin, type PluginView } from 'prosemirror-state'
import type { Awareness } from 'y-protocols/awareness'
import { people } from '../people.js'

/** Most people listed by name; a crowd (or a peer forging many client ids) collapses into "+N". */
const MAX_LISTED = 12

/**
 * `[data-quire="presence"]`: one `<li>` per connected user (this one first), with their color, name
 * and a "typing" mark while they edit, rendered as text only (see `people` for who is listed).
 */
class PresenceView implements PluginView {
  private readonly list = document.createElement('ul')
  private readonly render = (): void => this.draw()

  constructor(
    private readonly awareness: Awareness,
    host: HTMLElement,
  ) {
    this.list.dataset.quire = 'presence'
    this.list.className = 'quire-presence'
    this.list.setAttribute('aria-label', 'People in this document')
    host.append(this.list)
    awareness.on('change', this.render)
    this.draw()
  }

  /** What the list shows now, to skip redrawing it when only someone's caret moved. */
  private drawn = ''

  // Awareness changes with every caret move of every peer: the list is rebuilt only when what it
  // shows changed, since rebuilding costs the page a layout and a repaint each time.
  private draw(): void {
    // Being told that oneself is typing is noise, and it made the bar change under the caret.
    const everyone = people(this.awareness).map((person) => ({ ...person, typing: person.typing && !person.self }))
    const shown = JSON.stringify([everyone.length, everyone.slice(0, MAX_LISTED)])
    if (shown === this.drawn) return
    this.drawn = shown
    const entries = everyone.slice(0, MAX_LISTED).map(({ clientId, name: userName, color, typing, self }) => {
      const li = document.createElement('li')
      li.className = 'quire-person'
      li.dataset.clientId = String(clientId)
      if (self) li.dataset.self = ''
      if (typing) li.dataset.typing = ''
      const dot = document.createElement('span')
      dot.className = 'quire-person-dot'
      dot.style.backgroundColor = color
      const name = document.createElement('span')
      name.className = 'quire-person-name'
      name.textContent = self ? `${userName} (you)` : userName
      li.style.setProperty('--quire-person-color', color)
      li.title = name.textContent
      li.append(dot, name)
      if (typing) {
        const mark = document.createElement('span')
        mark.className = 'quire-typing'
        mark.textContent = 'typing'
        li.append(mark)
      }
      return li
    })
    if (everyone.length > MAX_LISTED) {
      const more = document.createElement('li')
      more.className = 'quire-person-more'
      more.textContent = `+${everyone.length - MAX_LISTED}`
      entries.push(more)
    }
    this.list.replaceChildren(...entries)
  }

  destroy(): void {
    this.awareness.off('change', this.render)
    this.list.remove()
  }
}

/** The presence list plugin, rendered into `host`. */
export function presencePlugin(awareness: Awareness, host: HTMLElement): Plugin {
  return new Plugin({ view: () => new PresenceView(awareness, host) })
}
