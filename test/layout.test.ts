import { readFileSync, readdirSync } from 'node:fs'
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

/** Relative import targets of a file, resolved to repository paths. */
function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].map((m) => relative(ROOT, resolve(join(ROOT, file, '..'), m[1]!)))
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
    const offending = sources(from.replace(/\/$/, '')).flatMap((file) => imports(file).filter((target) => forbidden.some((f) => target.startsWith(f))).map((target) => `${file} → ${target}`))
    expect(offending).toEqual([])
  })

  it('names a concrete store only inside server/store/', () => {
    const naming = sources('server').filter((file) => !file.startsWith('server/store/') && /store\/(level|redis)\.js/.test(readFileSync(join(ROOT, file), 'utf8')))
    expect(naming).toEqual([])
  })
})
