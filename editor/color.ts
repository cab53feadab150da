/** The one colour format that travels in presence: peers accept `#rrggbb` and nothing else. */
const HEX = /^#[0-9a-f]{6}$/i

/**
 * `color` (any opaque CSS colour: `#e91e63`, `#e16`, `rebeccapurple`, `rgb(…)`, `hsl(…)`) as the
 * `#rrggbb` that peers accept, or `null` if it is not a CSS colour or is translucent. The browser's
 * canvas does the parsing, so every colour syntax the browser knows is accepted.
 */
export function toHexColor(color: unknown): string | null {
  if (typeof color !== 'string') return null
  if (HEX.test(color)) return color.toLowerCase()
  const context = document.createElement('canvas').getContext('2d')
  if (context === null) return null
  // An invalid colour leaves `fillStyle` as it was: starting from two different values tells an
  // invalid colour from one that happens to equal the starting value.
  context.fillStyle = '#000000'
  context.fillStyle = color
  const onBlack = context.fillStyle
  context.fillStyle = '#ffffff'
  context.fillStyle = color
  // Opaque colours read back as `#rrggbb`, translucent ones as `rgba(…)`.
  return onBlack === context.fillStyle && HEX.test(onBlack) ? onBlack : null
}
