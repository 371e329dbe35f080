import {describe, expect, it} from 'vitest'
import {colorEnabled} from '../../src/cli/style.js'

const tty = {isTTY: true} as NodeJS.WriteStream
const pipe = {isTTY: false} as NodeJS.WriteStream

describe('colour only on a TTY, and never with NO_COLOR', () => {
  it.each([
    {name: 'TTY', stream: tty, env: {}, want: true},
    {name: 'pipe', stream: pipe, env: {}, want: false},
    {name: 'TTY with NO_COLOR=1', stream: tty, env: {NO_COLOR: '1'}, want: false},
    {name: 'TTY with an empty NO_COLOR (unset per no-color.org)', stream: tty, env: {NO_COLOR: ''}, want: true},
    {name: 'TTY with TERM=dumb', stream: tty, env: {TERM: 'dumb'}, want: false},
    {name: 'pipe with FORCE_COLOR=1', stream: pipe, env: {FORCE_COLOR: '1'}, want: true},
    {name: 'TTY with FORCE_COLOR=0', stream: tty, env: {FORCE_COLOR: '0'}, want: false},
  ])('$name → $want', ({stream, env, want}) => {
    expect(colorEnabled(stream, env as NodeJS.ProcessEnv)).toBe(want)
  })
})
