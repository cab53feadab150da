/** The editor's width (its content box) at and under which it takes its narrow layout. */
const NARROW_PX = 600

/**
 * Marks `root` `data-narrow` while it is at most 600px wide, for the narrow layout in style.css. A
 * CSS container query would say the same, but `container-type: inline-size` leaves the element's
 * content out of its intrinsic width: wherever the page sizes the editor to its content (a
 * `<dialog>`, a flex item, an inline-block) it was 2px wide. Returns the function that stops it.
 */
export function followWidth(root: HTMLElement): () => void {
  const observer = new ResizeObserver(([entry]) => {
    if (entry !== undefined) root.toggleAttribute('data-narrow', entry.contentRect.width <= NARROW_PX)
  })
  observer.observe(root)
  return () => observer.disconnect()
}
