/**
 * A reload signal for the --server-cmd server goes to every member of its process group; a
 * member that exited between the read of the group and the signal (apache's old workers leave
 * during a graceful restart) must not make the trigger fail: `race --target` with apache2,
 * spiffe-helper, --kind root and --reload signal:USR1 reported "SIGUSR1 not delivered: no
 * process with that pid (kill ESRCH)" now and then on a loaded machine, while apache was serving.
 * The kill is injected: no real pid is signalled.
 */
import {describe, expect, it} from 'vitest'
import {signalEach} from '../../src/core/race/server-process.js'

const errno = (code: string) => Object.assign(new Error(`kill ${code}`), {code})

/** A fake kill: pids in `gone` throw ESRCH, in `denied` EPERM; the rest are recorded. */
function fakeKill(o: {gone?: number[]; denied?: number[]} = {}) {
  const got: number[] = []
  const kill = (pid: number) => {
    if (o.gone?.includes(pid)) throw errno('ESRCH')
    if (o.denied?.includes(pid)) throw errno('EPERM')
    got.push(pid)
  }
  return {got, kill}
}

describe('signalEach (the --server-cmd group reload)', () => {
  it('skips a member that exited meanwhile and signals the others', () => {
    const k = fakeKill({gone: [101]})
    expect(signalEach([100, 101, 102], 'SIGUSR1', k.kill)).toBe(2)
    expect(k.got).toEqual([100, 102])
  })

  it('returns 0 when every member is gone (the caller reports the server not running)', () => {
    const k = fakeKill({gone: [100, 101]})
    expect(signalEach([100, 101], 'SIGHUP', k.kill)).toBe(0)
    expect(signalEach([], 'SIGHUP', k.kill)).toBe(0)
  })

  it('throws any other error (a member we may not signal)', () => {
    const k = fakeKill({denied: [101]})
    expect(() => signalEach([100, 101, 102], 'SIGHUP', k.kill)).toThrow(/EPERM/)
  })
})
