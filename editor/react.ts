import { type CSSProperties, createElement, type ReactElement, type RefObject, useEffect, useRef, useState } from 'react'
import { createEditor, type Editor, type EditorOptions } from './index.js'

/**
 * The ref `useQuireEditor` gives for `<div ref={ref}>`, in the one form both React 18's types (a
 * `RefObject<T>` may be null) and React 19's (a `RefObject<T | null>`) take on an element's `ref`.
 * Its `current` is null until React has set it.
 */
export type EditorElementRef = RefObject<HTMLDivElement>

/**
 * Keeps an editor mounted in `ref`'s element while the component is: one editor per `url`, `doc`,
 * `offline`, `theme` and `placeholder` (changing one opens a new editor), while `readOnly`, `user`
 * and `token` are applied to the running one (`setReadOnly`, `setUser`, `setToken`). `editor` is
 * `null` until it exists. The editor is created a microtask after the effect, so React StrictMode's
 * mount-unmount-mount opens one socket and one presence entry, not two. Invalid options throw
 * (a `TypeError`) from the component's render, to the nearest error boundary.
 */
export function useQuireEditor(options: EditorOptions): { ref: EditorElementRef; editor: Editor | null } {
  const ref = useRef<HTMLDivElement | null>(null)
  const [editor, setEditor] = useState<Editor | null>(null)
  const [failure, setFailure] = useState<{ error: unknown } | null>(null)
  if (failure !== null) throw failure.error
  const latest = useRef(options)
  latest.current = options
  // What the running editor was last given, so only a change is applied to it.
  const applied = useRef<Pick<EditorOptions, 'readOnly' | 'token'> & { name: string; color: string }>({ name: '', color: '' })
  // The editor that is still open. In the render where `url` or `doc` changes, `editor` still names
  // the one just destroyed, and the new one is made with the new `readOnly`, `user` and `token`.
  const live = useRef<Editor | null>(null)
  const { url, doc, offline, theme, placeholder, readOnly = false, user, token } = options

  // One editor per connection target: the other options reach the running editor below, so a
  // new user name or token does not reopen its socket.
  // biome-ignore lint/correctness/useExhaustiveDependencies: deliberately only what needs a new editor
  useEffect(() => {
    const element = ref.current
    if (element === null) return
    let created: Editor | null = null
    let cancelled = false
    queueMicrotask(() => {
      if (cancelled) return
      const given = latest.current
      try {
        created = createEditor(element, given)
      } catch (error) {
        setFailure({ error })
        return
      }
      applied.current = { readOnly: given.readOnly ?? false, token: given.token, name: given.user.name, color: given.user.color }
      live.current = created
      setEditor(created)
    })
    return () => {
      cancelled = true
      created?.destroy()
      live.current = null
      setEditor(null)
    }
  }, [url, doc, offline, theme, placeholder])

  // biome-ignore lint/correctness/useExhaustiveDependencies: `user` is compared by its fields, so a new object with the same name and color changes nothing
  useEffect(() => {
    if (editor === null || editor !== live.current) return
    const was = applied.current
    if (was.readOnly !== readOnly) editor.setReadOnly(readOnly)
    if (was.name !== user.name || was.color !== user.color) editor.setUser(user)
    if (was.token !== token) editor.setToken(token)
    applied.current = { readOnly, token, name: user.name, color: user.color }
  }, [editor, readOnly, user.name, user.color, token])

  return { ref: ref as EditorElementRef, editor }
}

/** Props of `<QuireEditor>`: the editor's options plus where it is drawn and when it is ready. */
export interface QuireEditorProps extends EditorOptions {
  className?: string
  style?: CSSProperties
  /** Called with each editor once it exists (again after `url`, `doc` or `offline` changed). */
  onReady?: (editor: Editor) => void
}

/** A `<div>` holding a quire editor; see `useQuireEditor` for how props apply. */
export function QuireEditor({ className, style, onReady, ...options }: QuireEditorProps): ReactElement {
  const { ref, editor } = useQuireEditor(options)
  const ready = useRef(onReady)
  ready.current = onReady
  useEffect(() => {
    if (editor !== null) ready.current?.(editor)
  }, [editor])
  return createElement('div', { ref, className, style })
}
