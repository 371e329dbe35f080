import {Flags} from '@oclif/core'

/** Flags of the commands that read SVID files which may be PKCS#12, a Secret manifest or an encrypted key (verify, inspect). */
export const readFlags = {
  'p12-password-file': Flags.string({
    description: 'file whose first line is the password of a PKCS#12 input (default: asked on a terminal)',
  }),
  'key-password-file': Flags.string({
    description: 'file whose first line is the password of an encrypted PKCS#8 key (default: asked on a terminal)',
  }),
  'secret-name': Flags.string({description: 'the Secret to read from a manifest holding several (metadata.name)'}),
}
