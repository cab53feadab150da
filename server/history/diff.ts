import { createTwoFilesPatch } from 'diff'

/**
 * A unified diff from `before` to `after` (`diff -u` style, headers naming both sides), empty when
 * they are the same. jsdiff's separator line of `=` signs is left out: no other tool prints it.
 */
export function unifiedDiff(beforeName: string, before: string, afterName: string, after: string): string {
  if (before === after) return ''
  return createTwoFilesPatch(beforeName, afterName, before, after).replace(/^=+\n/, '')
}
