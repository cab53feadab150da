import { type Command, Plugin, PluginKey, type Transaction } from 'prosemirror-state'
import { ySyncPluginKey, yUndoPluginKey } from 'y-prosemirror'

/** How a transaction stands to the undo steps around it. */
type Step = 'own' | 'starts' | null

const stepKey = new PluginKey<Step>('quire-undo-steps')

// Pastes, drops and cuts are marked by ProseMirror itself.
const OWN_STEP_EVENTS = new Set(['paste', 'drop', 'cut'])

function stepOf(tr: Transaction): Step {
  if (tr.getMeta(ySyncPluginKey)?.isChangeOrigin) return null
  return (tr.getMeta(stepKey) as Step | undefined) ?? (OWN_STEP_EVENTS.has(tr.getMeta('uiEvent')) ? 'own' : null)
}

/** `tr`, marked as an undo step of its own (for changes not made through a command). */
export function asOwnUndoStep(tr: Transaction): Transaction {
  return tr.setMeta(stepKey, 'own')
}

/** `command`, whose change becomes an undo step of its own (formatting from the keyboard or toolbar). */
export function ownUndoStep(command: Command): Command {
  return (state, dispatch, view) => command(state, dispatch && ((tr) => dispatch(asOwnUndoStep(tr))), view)
}

/** `command`, whose change starts a new undo step that what is typed next joins (Enter). */
export function newUndoStep(command: Command): Command {
  return (state, dispatch, view) => command(state, dispatch && ((tr) => dispatch(tr.setMeta(stepKey, 'starts'))), view)
}

/**
 * Undo steps that follow what people did, not only the clock. Yjs' UndoManager merges every change
 * made within 500 ms of the previous one into one step, so a sentence typed and pasted over, or a
 * word typed and then made bold, went back in one Ctrl+Z. Pastes, drops, cuts and commands marked
 * with `ownUndoStep` are steps of their own, and `newUndoStep` commands start one: the UndoManager
 * is told to stop capturing before (and after) such a change reaches Yjs. This plugin must come
 * before ySync: its view runs first, and ySync's view is what hands the change to Yjs.
 */
export function undoStepsPlugin(): Plugin<Step> {
  return new Plugin<Step>({
    key: stepKey,
    state: {
      init: () => null,
      apply: (tr, step) => (tr.docChanged ? stepOf(tr) : step),
    },
    view: () => ({
      update(view, previous) {
        if (view.state.doc === previous.doc) return
        if (stepKey.getState(previous) === 'own' || stepKey.getState(view.state) !== null) yUndoPluginKey.getState(view.state)?.undoManager.stopCapturing()
      },
    }),
  })
}
