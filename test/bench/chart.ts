/**
 * A small SVG line-chart writer for the bench's sweeps: log-scale x (the sweeps multiply their
 * load by 3 to 5 per step), linear y from zero, one line per series with a legend. Hand-written
 * so the bench needs no plotting dependency; it draws only the numbers it is given.
 */

/** One line: its name in the legend, its colour and dash, and its points (x > 0). */
export interface Line {
  name: string
  color: string
  dashed: boolean
  points: readonly (readonly [x: number, y: number])[]
}

export interface Chart {
  title: string
  xLabel: string
  yLabel: string
  lines: readonly Line[]
  /** A line under the title: how and where the figures were measured. */
  note: string
}

const WIDTH = 720
const HEIGHT = 420
const PLOT = { left: 80, right: 540, top: 56, bottom: 350 }

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A round step for about five y ticks up to `max`. */
function niceStep(max: number): number {
  const raw = max / 5
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)
  return step ?? 10 * magnitude
}

function label(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 2 : 0 })
}

/** The chart as a standalone SVG document. */
export function renderChart(chart: Chart): string {
  const points = chart.lines.flatMap((line) => line.points)
  const xs = [...new Set(points.map(([x]) => x))].sort((a, b) => a - b)
  const yMaxData = Math.max(0, ...points.map(([, y]) => y))
  const step = niceStep(yMaxData > 0 ? yMaxData : 1)
  const yMax = Math.ceil((yMaxData > 0 ? yMaxData : 1) / step) * step
  const [xMin, xMax] = [xs[0] ?? 1, xs[xs.length - 1] ?? 10]
  const span = Math.log(xMax / xMin) || 1
  const px = (x: number): number => PLOT.left + (xs.length > 1 ? Math.log(x / xMin) / span : 0.5) * (PLOT.right - PLOT.left)
  const py = (y: number): number => PLOT.bottom - (y / yMax) * (PLOT.bottom - PLOT.top)
  const f = (n: number): string => n.toFixed(1)

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${PLOT.left}" y="22" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
    `<text x="${PLOT.left}" y="40" fill="#555" font-size="10">${escapeXml(chart.note)}</text>`,
  ]
  for (let y = 0; y <= yMax + step / 2; y += step) {
    out.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${f(py(y))}" y2="${f(py(y))}" stroke="#ddd"/>`)
    out.push(`<text x="${PLOT.left - 6}" y="${f(py(y) + 4)}" text-anchor="end">${label(y)}</text>`)
  }
  for (const x of xs) {
    out.push(`<line x1="${f(px(x))}" x2="${f(px(x))}" y1="${PLOT.top}" y2="${PLOT.bottom}" stroke="#eee"/>`)
    out.push(`<text x="${f(px(x))}" y="${PLOT.bottom + 18}" text-anchor="middle">${label(x)}</text>`)
  }
  out.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}" stroke="#333"/>`)
  out.push(`<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.bottom}" stroke="#333"/>`)
  out.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 40}" text-anchor="middle">${escapeXml(chart.xLabel)} (log scale)</text>`)
  out.push(`<text transform="translate(20 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`)

  chart.lines.forEach((line, i) => {
    const sorted = [...line.points].sort((a, b) => a[0] - b[0])
    const dash = line.dashed ? ' stroke-dasharray="6 4"' : ''
    if (sorted.length > 1) {
      const path = sorted.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${f(px(x))} ${f(py(y))}`).join(' ')
      out.push(`<path d="${path}" fill="none" stroke="${line.color}" stroke-width="2"${dash}/>`)
    }
    for (const [x, y] of sorted) out.push(`<circle cx="${f(px(x))}" cy="${f(py(y))}" r="3" fill="${line.color}"><title>${escapeXml(`${line.name}: ${label(y)} at ${label(x)}`)}</title></circle>`)
    const ly = PLOT.top + 8 + i * 20
    out.push(`<line x1="${PLOT.right + 20}" x2="${PLOT.right + 50}" y1="${ly}" y2="${ly}" stroke="${line.color}" stroke-width="2"${dash}/>`)
    out.push(`<text x="${PLOT.right + 56}" y="${ly + 4}">${escapeXml(line.name)}</text>`)
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
