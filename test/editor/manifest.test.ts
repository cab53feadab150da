import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// `@quire/editor` leaves every package it imports to the app's bundler (editor/vite.config.ts, lib
// mode), so each one must be a dependency or peer dependency in editor/package.json, or an app
// fails to build. This walks the sources the package is built from, as the build does.

const ROOT = resolve(import.meta.dirname, '../..')
const ENTRIES = ['editor/entry.ts', 'editor/react.ts', 'editor/vue.ts']
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]/g

/** Packages imported by the sources reachable from `entries` (type-only imports included: the .d.ts need them too). */
function importedPackages(entries: string[]): Map<string, string> {
  const packages = new Map<string, string>()
  const seen = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const [, from, bare] of readFileSync(join(ROOT, file), 'utf8').matchAll(IMPORT)) {
      const specifier = (from ?? bare)!
      if (specifier.startsWith('.')) {
        if (/\.(js|ts)$/.test(specifier)) visit(relative(ROOT, resolve(ROOT, dirname(file), specifier.replace(/\.js$/, '.ts'))))
      } else {
        const parts = specifier.split('/')
        packages.set(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!, file)
      }
    }
  }
  entries.forEach(visit)
  return packages
}

describe('@quire/editor manifest', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'editor/package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})])

  it('declares every package the editor imports, as a dependency or peer dependency', () => {
    const missing = [...importedPackages(ENTRIES)].filter(([name]) => !declared.has(name)).map(([name, file]) => `${name} (imported by ${file})`)
    expect(missing).toEqual([])
  })

  it('keeps yjs a peer dependency only, so an app has one copy', () => {
    expect(manifest.peerDependencies).toHaveProperty('yjs')
    expect(manifest.dependencies).not.toHaveProperty('yjs')
  })
})
