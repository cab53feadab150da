import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return /\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

/** One relative import of a file, resolved to a repository path (without extension). */
interface Import {
  target: string
  /**
   * Whether the module must be loaded before the importer runs: not for `import type` (erased at
   * compile time) nor for `import()` (loaded later, when called).
   */
  atLoad: boolean
}

// Static `import … from`, `export … from` and bare `import '…'`, and dynamic `import('…')`.
const IMPORT = /(?:\b(import|export)\s+(type\s+)?[^'"();]*?from\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.[^'"]+)['"]/g

/** Relative imports of a file, static and dynamic, resolved to repository paths. */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(IMPORT)].map((m) => ({
    target: relative(ROOT, resolve(join(ROOT, file, '..'), m[3]!)).replace(/\.(js|ts)$/, ''),
    atLoad: m[2] === undefined && !m[0].includes('('),
  }))
}

/** Relative import targets of a file, resolved to repository paths. */
function imports(file: string): string[] {
  return importsOf(file).map((i) => i.target)
}

/**
 * Import cycles among `files` through imports needed at load time, where a cycle makes one module
 * run before what it imports is initialised: each as the files around it, starting from the first
 * by name. A depth-first search over the graph.
 */
function cycles(files: string[]): string[][] {
  const module = (file: string) => file.replace(/\.(ts|tsx)$/, '')
  const known = new Set(files.map(module))
  const edges = new Map(
    files.map((file) => [
      module(file),
      importsOf(file)
        .filter((i) => i.atLoad && known.has(i.target))
        .map((i) => i.target),
    ]),
  )
  const found = new Map<string, string[]>()
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (node: string): void => {
    state.set(node, 'open')
    path.push(node)
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = path.slice(path.indexOf(next))
        const start = cycle.indexOf([...cycle].sort()[0]!)
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)]
        found.set(rotated.join(' → '), rotated)
      } else if (!state.has(next)) visit(next)
    }
    path.pop()
    state.set(node, 'done')
  }
  for (const node of edges.keys()) if (!state.has(node)) visit(node)
  return [...found.values()]
}

// The dependency rule of the module map: imports point one way only.
const rules: Array<[string, string[]]> = [
  ['shared/', ['server/', 'editor/', 'test/']],
  ['editor/', ['server/', 'test/']],
  ['server/store/', ['server/sync/', 'server/http/', 'server/cli/', 'server/docs', 'server/main']],
  ['server/sync/', ['server/history/', 'server/http/', 'server/cli/', 'server/docs', 'server/main']],
  ['server/history/', ['server/http/', 'server/cli/', 'server/docs', 'server/main']],
  ['server/guard/', ['server/sync/', 'server/http/', 'server/cli/', 'server/store/', 'server/main']],
  ['server/http/', ['server/cli/', 'server/main', 'server/cluster/']],
  ['server/cluster/', ['server/http/', 'server/cli/', 'server/main']],
]

describe('module layout', () => {
  it.each(rules)('files under %s import nothing from %j', (from, forbidden) => {
    const offending = sources(from.replace(/\/$/, '')).flatMap((file) =>
      imports(file)
        .filter((target) => forbidden.some((f) => target.startsWith(f)))
        .map((target) => `${file} → ${target}`),
    )
    expect(offending).toEqual([])
  })

  it('has no import cycles in server/, shared/ or editor/', () => {
    expect(cycles([...sources('server'), ...sources('shared'), ...sources('editor')])).toEqual([])
  })

  it('sees dynamic and bare imports as well as static ones', () => {
    // The checks above are only as good as the import parser; this pins what it must find.
    const found = imports('server/main.ts')
    expect(found).toContain('server/backend')
    const dynamic = sources('server').filter((file) => imports(file).some((target) => target === 'server/cluster/redis-bus'))
    expect(dynamic).toEqual(['server/backend.ts'])
  })

  it('names a concrete store only inside server/store/', () => {
    const naming = sources('server').filter((file) => !file.startsWith('server/store/') && /store\/(level|redis)\.js/.test(readFileSync(join(ROOT, file), 'utf8')))
    expect(naming).toEqual([])
  })
})
