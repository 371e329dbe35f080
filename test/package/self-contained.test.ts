/**
 * The docs and the source comments stand alone: they cite the SPIFFE specifications, RFCs
 * and the project's own docs, never material outside the repository (../shared/…, the
 * "spiffe-rules" or "cli-contract" notes, "rotation.md §N" sections that no doc has), and
 * every relative link in docs/ and README.md points at a file and heading that exist.
 */
import {readdirSync, readFileSync, existsSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')

function filesUnder(dir: string, ext: RegExp): string[] {
  const out: string[] = []
  for (const e of readdirSync(path.join(ROOT, dir), {withFileTypes: true})) {
    const rel = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...filesUnder(rel, ext))
    else if (ext.test(e.name)) out.push(rel)
  }
  return out.sort()
}

/** References to things the repository and the package do not hold. */
const OUTSIDE = [
  /\.\.\/shared\b/,
  /\/work\/shared\b/,
  /spiffe-rules/,
  /cli-contract\.md/,
  /\bstack\.md\b/,
  /STYLE\.md/,
  /rotation\.md §/,
]

const FILES = ['README.md', ...filesUnder('docs', /\.md$/), ...filesUnder('src', /\.ts$/)]

/** Returns the GitHub anchor of a markdown heading. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

describe('docs and source comments are self-contained', () => {
  it('no file cites material outside the repository', () => {
    const hits = FILES.flatMap((f) =>
      readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE.some((re) => re.test(line)) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    )
    expect(hits).toEqual([])
  })

  it('relative links in README.md and docs/ point at files and headings that exist', () => {
    const broken: string[] = []
    for (const f of FILES.filter((x) => x.endsWith('.md'))) {
      const text = readFileSync(path.join(ROOT, f), 'utf8')
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]
        if (/^[a-z]+:/.test(target)) continue
        const [file, hash] = target.split('#')
        const resolved = file === '' ? path.join(ROOT, f) : path.resolve(path.dirname(path.join(ROOT, f)), file)
        if (!existsSync(resolved)) {
          broken.push(`${f}: ${target} (no such file)`)
          continue
        }
        if (hash && resolved.endsWith('.md')) {
          const anchors = readFileSync(resolved, 'utf8')
            .split('\n')
            .filter((l) => /^#{1,6} /.test(l))
            .map((l) => anchor(l.replace(/^#+ /, '')))
          if (!anchors.includes(hash)) broken.push(`${f}: ${target} (no such heading)`)
        }
      }
    }
    expect(broken).toEqual([])
  })

  it('every test file that reads the conformance fixtures declares it (requireConformance), so it skips without them', () => {
    // Helper modules that hold the fixture paths, and the test files importing one of them.
    const text = (f: string) => readFileSync(path.join(ROOT, f), 'utf8')
    const helpers = new Set(
      filesUnder('test', /(?<!\.test)\.ts$/).filter(
        (f) => !f.startsWith('test/helpers/shared') && /CONFORMANCE/.test(text(f)),
      ),
    )
    const imports = (f: string) =>
      [...text(f).matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)].map((m) => path.join(path.dirname(f), `${m[1]}.ts`))
    const readers = filesUnder('test', /\.test\.ts$/).filter(
      (f) =>
        !f.startsWith('test/package/') &&
        (/CONFORMANCE|shared\/conformance/.test(text(f)) || imports(f).some((i) => helpers.has(i))),
    )
    const local = filesUnder('test/conformance', /\.test\.ts$/)
    const undeclared = [...new Set([...readers, ...local])].filter(
      (f) => !/\nrequireConformance\(\)/.test(readFileSync(path.join(ROOT, f), 'utf8')),
    )
    expect(readers.length).toBeGreaterThan(0)
    expect(undeclared).toEqual([])
  })

  it('only the tests of the conformance expectations need them: go-spiffe data files are vendored (test/fixtures/go-spiffe)', () => {
    // A clone without ../shared runs every other test file: unit and property tests of the
    // parsers read the vendored copies (test/helpers/go-spiffe.ts).
    const needing = filesUnder('test', /\.test\.ts$/).filter((f) =>
      /\nrequireConformance\(\)/.test(readFileSync(path.join(ROOT, f), 'utf8')),
    )
    const needless = needing.filter(
      (f) =>
        !f.startsWith('test/conformance/') &&
        !/EXPECTATIONS|expectations\.json/.test(readFileSync(path.join(ROOT, f), 'utf8')),
    )
    expect(needless).toEqual([])
    expect(existsSync(path.join(ROOT, 'test/fixtures/go-spiffe/LICENSE'))).toBe(true)
    expect(existsSync(path.join(ROOT, 'test/fixtures/go-spiffe/README.md'))).toBe(true)
  })
})
