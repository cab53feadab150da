// What the embed bundle and the package are built from: the public API plus its stylesheet, which
// Vite emits beside the JavaScript (`quire-editor.css`, `style.css`). The stylesheet is imported
// here rather than in `index.ts` so the generated declarations do not import a CSS file.
import './style.css'

export * from './index.js'
