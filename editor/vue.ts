import { defineComponent, h, onBeforeUnmount, onMounted, type PropType, ref, shallowRef, watch } from 'vue'
import { createEditor, type Editor, type EditorTheme, type EditorUser } from './index.js'

/**
 * `<QuireEditor url doc :user>`: a `<div>` holding a quire editor while the component is mounted.
 * Changing `url`, `doc`, `offline`, `theme` or `placeholder` opens a new editor; `readOnly`, `user`
 * and `token` are applied to the running one (`setReadOnly`, `setUser`, `setToken`). It emits
 * `ready` with each editor and exposes the current one as `editor` (a template ref's `.editor`:
 * Vue unwraps exposed refs; `null` while there is none). Invalid props throw (a `TypeError`) to
 * Vue's error handling and leave no editor until they are valid again.
 */
export const QuireEditor = defineComponent({
  name: 'QuireEditor',
  props: {
    url: { type: String, required: true },
    doc: { type: String, required: true },
    user: { type: Object as PropType<EditorUser>, required: true },
    token: { type: String, default: undefined },
    readOnly: { type: Boolean, default: false },
    offline: { type: Boolean, default: false },
    theme: { type: String as PropType<EditorTheme>, default: undefined },
    placeholder: { type: String, default: undefined },
  },
  emits: { ready: (editor: Editor) => editor !== null },
  setup(props, { emit, expose }) {
    const element = ref<HTMLDivElement | null>(null)
    const editor = shallowRef<Editor | null>(null)
    const open = (): void => {
      // Let go of the old editor before making the new one: if that throws (invalid props), the
      // watchers below must not call the destroyed editor on the next prop change.
      const old = editor.value
      editor.value = null
      old?.destroy()
      editor.value = createEditor(element.value!, { ...props })
      emit('ready', editor.value)
    }
    onMounted(open)
    watch(() => [props.url, props.doc, props.offline, props.theme, props.placeholder], open)
    watch(
      () => props.readOnly,
      (readOnly) => editor.value?.setReadOnly(readOnly),
    )
    // By its fields: a parent passing `:user="{ name, color }"` makes a new object on every render,
    // and each setUser would send presence to every peer.
    watch([() => props.user.name, () => props.user.color], () => editor.value?.setUser(props.user))
    watch(
      () => props.token,
      (token) => editor.value?.setToken(token),
    )
    onBeforeUnmount(() => editor.value?.destroy())
    expose({ editor })
    return () => h('div', { ref: element })
  },
})
