/** One PEM block: its label and the DER bytes of its body. */
interface PemBlock {
  type: string
  der: Uint8Array
}

/** Why a PEM text could not be read. */
export class PemSyntaxError extends Error {}

const BEGIN = /-----BEGIN ([A-Z0-9 #]+)-----/g
const BASE64_BODY = /^[A-Za-z0-9+/\r\n\t ]*={0,2}[\r\n\t ]*$/

/** Returns true when the text carries PEM armour at all. */
export function hasPemArmour(text: string): boolean {
  return text.includes('-----BEGIN ')
}

/**
 * Returns every PEM block of `text`, in order. Text between blocks is ignored (as in
 * OpenSSL and Go); a block without its END line, with a mismatched END label, or with a
 * body that is not strict base64 throws PemSyntaxError. Encrypted-PEM headers
 * (`Proc-Type:`) are refused here, since svidkit never reads encrypted keys.
 */
export function parsePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = []
  BEGIN.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = BEGIN.exec(text)) !== null) {
    const type = m[1]
    const bodyStart = m.index + m[0].length
    const endMarker = `-----END ${type}-----`
    const end = text.indexOf(endMarker, bodyStart)
    const nextBegin = text.indexOf('-----BEGIN ', bodyStart)
    if (end < 0 || (nextBegin >= 0 && nextBegin < end)) {
      throw new PemSyntaxError(`PEM block "${type}" has no matching END line (file truncated?)`)
    }
    const body = text.slice(bodyStart, end)
    if (body.includes(':')) throw new PemSyntaxError(`PEM block "${type}" has headers (encrypted PEM is not supported)`)
    if (!BASE64_BODY.test(body)) throw new PemSyntaxError(`PEM block "${type}" is not valid base64`)
    const compact = body.replace(/\s+/g, '')
    if (compact.length % 4 !== 0) throw new PemSyntaxError(`PEM block "${type}" is not valid base64 (length)`)
    blocks.push({type, der: new Uint8Array(Buffer.from(compact, 'base64'))})
    BEGIN.lastIndex = end + endMarker.length
  }
  return blocks
}

/** Returns the PEM text of one block, 64 columns, with a final newline. */
export function toPem(type: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64')
  const lines = b64.match(/.{1,64}/g) ?? []
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`
}
