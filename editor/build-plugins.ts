import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'

/**
 * Fills the service worker's precache list (`__QUIRE_PRECACHE__` in `app/sw.ts`) with the app's
 * pages and every file this build wrote under `assets/`, so the first visit already keeps
 * everything an offline reload needs, including chunks loaded later (the download renderers).
 */
export function precacheList(): Plugin {
  return {
    name: 'quire-precache-list',
    apply: 'build',
    generateBundle(_options, bundle) {
      const assets = Object.keys(bundle).filter((file) => file.startsWith('assets/') && !file.endsWith('.map'))
      const list = JSON.stringify(['/', '/d/_', ...assets.map((file) => `/${file}`)])
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk' && chunk.code.includes('__QUIRE_PRECACHE__')) chunk.code = chunk.code.replace('__QUIRE_PRECACHE__', list.replace(/\\/g, '\\\\').replace(/'/g, "\\'"))
      }
    },
  }
}

const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]))
}

/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy next to every text file of the build, at the
 * highest levels: compressing once at build time costs nothing per request, and the server
 * (server/http/static.ts) sends whichever copy the browser accepts.
 */
export function precompress(outDir: string): Plugin {
  return {
    name: 'quire-precompress',
    apply: 'build',
    closeBundle() {
      for (const file of filesUnder(outDir)) {
        if (!COMPRESSIBLE.test(file) || statSync(file).size < 512) continue
        const bytes = readFileSync(file)
        writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }))
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }))
      }
    },
  }
}
