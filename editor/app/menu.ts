/** One choice of a menu: its label and what it does. */
export interface MenuItem {
  label: string
  run: () => void | Promise<void>
}

/**
 * A menu button (WAI-ARIA menu button pattern): the button opens a `role="menu"` popup under it;
 * arrow keys move between items, Escape and a click elsewhere close it. The returned function
 * replaces the items (the share menu learns late whether a view-only link is possible).
 */
export function menuButton(host: HTMLElement, label: string, items: MenuItem[]): (items: MenuItem[]) => void {
  host.classList.add('menu')
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'menu-button'
  button.textContent = label
  button.setAttribute('aria-haspopup', 'menu')
  button.setAttribute('aria-expanded', 'false')
  const popup = document.createElement('div')
  popup.setAttribute('role', 'menu')
  popup.setAttribute('aria-label', label)
  popup.className = 'menu-popup'
  popup.hidden = true
  host.append(button, popup)

  const entries = (): HTMLButtonElement[] => [...popup.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')]
  const close = (focusButton: boolean): void => {
    popup.hidden = true
    button.setAttribute('aria-expanded', 'false')
    if (focusButton) button.focus()
  }
  const open = (): void => {
    popup.hidden = false
    button.setAttribute('aria-expanded', 'true')
    entries()[0]?.focus()
  }
  button.addEventListener('click', () => (popup.hidden ? open() : close(false)))
  popup.addEventListener('keydown', (event) => {
    const all = entries()
    const at = all.indexOf(document.activeElement as HTMLButtonElement)
    if (event.key === 'Escape') close(true)
    else if (event.key === 'ArrowDown') all[(at + 1) % all.length]?.focus()
    else if (event.key === 'ArrowUp') all[(at - 1 + all.length) % all.length]?.focus()
    else return
    event.preventDefault()
  })
  document.addEventListener('pointerdown', (event) => {
    if (!popup.hidden && !host.contains(event.target as Node)) close(false)
  })

  const setItems = (next: MenuItem[]): void => {
    popup.replaceChildren(
      ...next.map((item) => {
        const entry = document.createElement('button')
        entry.type = 'button'
        entry.setAttribute('role', 'menuitem')
        entry.textContent = item.label
        entry.addEventListener('click', async () => {
          close(true)
          await item.run()
        })
        return entry
      }),
    )
  }
  setItems(items)
  return setItems
}
