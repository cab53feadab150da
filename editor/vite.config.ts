import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import { precacheList, precompress } from './build-plugins.js'

// Three builds from one file, chained by `npm run build`:
//   default mode  → the app pages (`/` and `/d/<name>`) in dist/app, served by server/http/static.ts
//   `--mode embed` → the embeddable ES module + CSS in dist/embed (`/embed/quire-editor.{js,css}`):
//                    everything inlined and minified, for `<script type=module>` on any page
//   `--mode lib`   → the `@quire/editor` package in editor/dist (index, react and vue entries +
//                    style.css); Yjs, y-*, ProseMirror and the frameworks stay imports, so an app
//                    that uses them too has one copy of each (two Yjs break `instanceof` checks)
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

/** What the package build leaves to the app's bundler: its dependencies and peer dependencies. */
const PACKAGE_IMPORTS = /^(yjs|y-[a-z]+|lib0|prosemirror-[a-z-]+|markdown-it|react|vue)(\/|$)/

export default defineConfig(({ command, mode }) => {
  if (mode === 'lib') {
    return {
      publicDir: false,
      build: {
        outDir: here('./dist'),
        emptyOutDir: true,
        sourcemap: true,
        lib: {
          entry: { index: here('./entry.ts'), react: here('./react.ts'), vue: here('./vue.ts') },
          formats: ['es'],
          cssFileName: 'style',
        },
        rolldownOptions: { external: (id) => PACKAGE_IMPORTS.test(id) },
      },
    }
  }
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
          entry: here('./entry.ts'),
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
