/**
 * The member names of JSON objects as written, repeats included. `JSON.parse` silently
 * keeps the last of two equal names; a bundle map must refuse them (docs/design.md, `verify` and `inspect`).
 */

/** The member names of one JSON object, in text order, and the objects nested under them. */
/** Deepest nesting accepted in a bundle file. */
const MAX_DEPTH = 64

interface JsonObjectShape {
  /** Member names as `JSON.parse` decodes them (escapes resolved), repeats kept. */
  names: string[]
  /** For member `i`, the shape of its value when that value is an object, else undefined. */
  values: (JsonObjectShape | undefined)[]
}

/** Walks a JSON text that `JSON.parse` has already accepted, so syntax errors cannot occur. */
class ShapeScanner {
  private pos = 0

  constructor(private readonly text: string) {}

  private skipWhitespace(): void {
    while (this.pos < this.text.length && ' \t\r\n'.includes(this.text[this.pos])) this.pos++
  }

  private string(): string {
    const start = this.pos
    this.pos++ // opening quote
    while (this.text[this.pos] !== '"') this.pos += this.text[this.pos] === '\\' ? 2 : 1
    this.pos++
    return JSON.parse(this.text.slice(start, this.pos)) as string
  }

  private depth = 0

  /** Returns the shape of the value at the cursor when it is an object, and moves past the value. */
  value(): JsonObjectShape | undefined {
    // No bundle nests deeply; refusing deep input keeps the recursion bounded.
    if (++this.depth > MAX_DEPTH) throw new SyntaxError(`nested more than ${MAX_DEPTH} levels deep`)
    try {
      return this.valueAt()
    } finally {
      this.depth--
    }
  }

  private valueAt(): JsonObjectShape | undefined {
    this.skipWhitespace()
    const c = this.text[this.pos]
    if (c === '{') return this.object()
    if (c === '[') {
      this.pos++
      this.skipWhitespace()
      while (this.text[this.pos] !== ']') {
        this.value()
        this.skipWhitespace()
        if (this.text[this.pos] === ',') this.pos++
        this.skipWhitespace()
      }
      this.pos++
    } else if (c === '"') {
      this.string()
    } else {
      while (this.pos < this.text.length && !',]} \t\r\n'.includes(this.text[this.pos])) this.pos++
    }
    return undefined
  }

  private object(): JsonObjectShape {
    const shape: JsonObjectShape = {names: [], values: []}
    this.pos++ // {
    this.skipWhitespace()
    while (this.text[this.pos] !== '}') {
      shape.names.push(this.string())
      this.skipWhitespace()
      this.pos++ // :
      shape.values.push(this.value())
      this.skipWhitespace()
      if (this.text[this.pos] === ',') this.pos++
      this.skipWhitespace()
    }
    this.pos++
    return shape
  }
}

/**
 * Returns the shape of the top-level object of `text`, or undefined when the top-level
 * value is not an object. `text` must be JSON that `JSON.parse` accepts.
 */
export function objectShape(text: string): JsonObjectShape | undefined {
  return new ShapeScanner(text).value()
}

/** Returns the shape of the last member called `name` (the one `JSON.parse` keeps), if it is an object. */
export function memberShape(shape: JsonObjectShape, name: string): JsonObjectShape | undefined {
  const i = shape.names.lastIndexOf(name)
  return i < 0 ? undefined : shape.values[i]
}

/** Returns the names that occur more than once in the object, each once, in order of first repeat. */
export function repeatedNames(shape: JsonObjectShape): string[] {
  const seen = new Set<string>()
  const repeated: string[] = []
  for (const name of shape.names) {
    if (seen.has(name) && !repeated.includes(name)) repeated.push(name)
    seen.add(name)
  }
  return repeated
}
