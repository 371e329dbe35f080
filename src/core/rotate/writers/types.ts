import type {Ops} from '../ops.js'
import type {FileRole, Knobs} from '../knobs.js'

/** One file of a set, in write order. A credential bundle carries both cert and key roles. */
export interface SetFile {
  name: string
  data: Buffer
  mode: number
  roles: FileRole[]
}

/** What a writer gets for one rotation. */
export interface WriterInput {
  /** The SVID directory (for dir-symlink: the symlink naming the current version). */
  dir: string
  files: SetFile[]
  ops: Ops
  knobs: Knobs
}

/** How a rotation ended on disk. */
type WriterResult = 'written' | 'aborted' | 'unchanged'

/** A writer imitates one real-world way of replacing the files (docs/rotation.md "Writer modes"). */
export type Writer = (w: WriterInput) => Promise<WriterResult>
