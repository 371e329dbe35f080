/** A minimal PNG reader for screenshot checks: 8-bit RGB or RGBA, not interlaced (what Chromium writes). */
import {readFileSync} from 'node:fs'
import {inflateSync} from 'node:zlib'

/** Returns width, height and RGB pixels (3 bytes each) of a PNG file. */
export function readPng(path: string): {width: number; height: number; rgb: Buffer} {
  const d = readFileSync(path)
  if (d.subarray(0, 8).toString('latin1') !== '\x89PNG\r\n\x1a\n') throw new Error(`${path} is not a PNG`)
  let off = 8
  let width = 0
  let height = 0
  let channels = 0
  const idat: Buffer[] = []
  while (off < d.length) {
    const len = d.readUInt32BE(off)
    const type = d.subarray(off + 4, off + 8).toString('latin1')
    const body = d.subarray(off + 8, off + 8 + len)
    if (type === 'IHDR') {
      width = body.readUInt32BE(0)
      height = body.readUInt32BE(4)
      if (body[8] !== 8 || body[12] !== 0) throw new Error('only 8-bit, non-interlaced PNGs')
      channels = body[9] === 2 ? 3 : body[9] === 6 ? 4 : 0
      if (!channels) throw new Error(`PNG colour type ${body[9]} not supported`)
    }
    if (type === 'IDAT') idat.push(body)
    off += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const out = Buffer.alloc(width * height * channels)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[y * stride + x - channels] : 0
      const b = y > 0 ? out[(y - 1) * stride + x] : 0
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0
      const p = a + b - c
      const pr =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c
      const pred = [0, a, b, (a + b) >> 1, pr][filter]
      out[y * stride + x] = (line[x] + pred) & 0xff
    }
  }
  const rgb = Buffer.alloc(width * height * 3)
  for (let i = 0; i < width * height; i++) out.copy(rgb, i * 3, i * channels, i * channels + 3)
  return {width, height, rgb}
}

/** Returns how many pixels are within `tolerance` of the colour `#rrggbb`. */
export function countColor(img: {rgb: Buffer}, hex: string, tolerance = 24): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16))
  let n = 0
  for (let i = 0; i < img.rgb.length; i += 3) {
    if (
      Math.abs(img.rgb[i] - r) <= tolerance &&
      Math.abs(img.rgb[i + 1] - g) <= tolerance &&
      Math.abs(img.rgb[i + 2] - b) <= tolerance
    )
      n++
  }
  return n
}
