import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import { precacheList, precompress } from './build-plugins.js'

// Two builds from one file, chained by `npm run build`:
//   default mode  → the app pages (`/` and `/d/<name>`) in dist/app, served by server/http/static.ts
//   `--mode embed` → the embeddable ES module + CSS in dist/embed (`/embed/quire-editor.{js,css}`)
// `npm run dev` serves the app pages with hot reload, talking to a quire server that is already
// running (QUIRE_URL, default http://127.0.0.1:1234).

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

/** In dev, `/d/<name>` is the editor page, as it is when quire serves the built app. */
function docPages(): Plugin {
  return {
    name: 'quire-doc-pages',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        if (req.url?.startsWith('/d/')) req.url = '/doc.html'
        next()
      })
    },
  }
}

export default defineConfig(({ command, mode }) => {
  if (mode === 'embed') {
    return {
      publicDir: false,
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      plugins: [precompress(here('../dist/embed'))],
      build: {
        outDir: here('../dist/embed'),
        emptyOutDir: true,
        sourcemap: true,
        // Library builds keep whitespace by default (minify 'oxc' without codegen); the embed is
        // fetched by every host page, so it is minified fully.
        minify: 'oxc',
        rollupOptions: { output: { minify: true } },
        lib: {
          entry: here('./index.ts'),
          formats: ['es'],
          fileName: () => 'quire-editor.js',
          cssFileName: 'quire-editor',
        },
      },
    }
  }
  const server = process.env.QUIRE_URL ?? 'http://127.0.0.1:1234'
  return {
    root: here('./app'),
    publicDir: false,
    plugins: [docPages(), precacheList(), precompress(here('../dist/app'))],
    define: command === 'serve' ? { 'import.meta.env.VITE_QUIRE_WS': JSON.stringify(server.replace(/^http/, 'ws')) } : {},
    server: { proxy: { '/api': server } },
    build: {
      outDir: here('../dist/app'),
      emptyOutDir: true,
      sourcemap: true,
      rollupOptions: {
        input: { index: here('./app/index.html'), doc: here('./app/doc.html'), sw: here('./app/sw.ts') },
        // The service worker must keep one address (/sw.js) for browsers to find its updates.
        output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
      },
    },
  }
})
