import {atomicRename} from './atomic-rename.js'
import {dirSymlink} from './dir-symlink.js'
import {hardlinkBackup} from './hardlink-backup.js'
import {kubelet} from './kubelet.js'
import {moveAway} from './move-away.js'
import {spiffeHelper} from './spiffe-helper.js'
import {unlinkCreate} from './unlink-create.js'
import type {Writer} from './types.js'

/** The writer modes of `rotate --mode` (docs/rotation.md "Writer modes"). credential-bundle writes like atomic-rename. */
export const WRITERS: Record<string, Writer> = {
  'spiffe-helper': spiffeHelper,
  'atomic-rename': atomicRename,
  kubelet,
  'dir-symlink': dirSymlink,
  'unlink-create': unlinkCreate,
  'hardlink-backup': hardlinkBackup,
  'move-away': moveAway,
  'credential-bundle': atomicRename,
}

/** A writer mode name. */
export type WriterMode =
  | 'spiffe-helper'
  | 'atomic-rename'
  | 'kubelet'
  | 'dir-symlink'
  | 'unlink-create'
  | 'hardlink-backup'
  | 'move-away'
  | 'credential-bundle'

export const WRITER_MODES = Object.keys(WRITERS) as WriterMode[]
export type {SetFile} from './types.js'
