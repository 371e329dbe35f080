/** Returns a message cut to one line of at most 120 characters (JSON.parse quotes its input, newlines included). */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '?')
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat
}
