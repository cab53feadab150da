import { STATUS_CODES } from 'node:http'

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/**
 * The page a person gets when an app address fails (a broken `%` escape in `/d/…`, an unknown
 * path): a readable explanation with a way back, instead of the API's JSON. Self-contained and
 * without scripts or inline styles, so it renders under any Content-Security-Policy.
 */
export function errorPage(status: number, message: string): string {
  const heading = status === 404 ? 'Nothing here' : status >= 500 ? 'Something went wrong' : 'Cannot open this address'
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${escapeHtml(heading)} · quire</title></head>
<body>
<h1>${escapeHtml(heading)}</h1>
<p>${escapeHtml(message)} (${status} ${escapeHtml(STATUS_CODES[status] ?? '')})</p>
<p><a href="/">All documents</a></p>
</body>
</html>
`
}
