import {Flags} from '@oclif/core'
import {KEY_TYPES} from '../core/x509/key-type.js'
import {LAYOUTS} from '../core/fs/layout.js'
import {usageError} from '../core/errors.js'

/**
 * The flags shared by the commands (docs/commands.md), defined once. Values stay strings here; the core
 * parses them (so every bad value goes through the one error path with exit 2).
 */
export const sharedFlags = {
  trustDomain: (o: {description?: string} = {}) =>
    Flags.string({
      description: o.description ?? 'trust domain name (example.org or spiffe://example.org)',
      required: true,
    }),
  spiffeId: (o: {description?: string} = {}) =>
    Flags.string({
      description: o.description ?? 'SPIFFE ID, e.g. spiffe://example.org/ns/default/sa/web',
      required: true,
    }),
  optionalSpiffeId: (o: {description?: string} = {}) =>
    Flags.string({description: o.description ?? 'SPIFFE ID, e.g. spiffe://example.org/ns/default/sa/web'}),
  ca: (o: {description?: string} = {}) =>
    Flags.string({
      description:
        o.description ?? 'CA directory made by "svidkit ca init" or "ca import" (default: $SVIDKIT_CA, else ./ca)',
    }),
  out: (o: {description: string; default?: string}) => Flags.string({description: o.description, default: o.default}),
  dir: (o: {description?: string; required?: boolean} = {}) =>
    Flags.string({
      description: o.description ?? 'SVID directory (layout detected from its files unless --layout)',
      required: o.required,
    }),
  bundle: (o: {description?: string} = {}) =>
    Flags.string({
      description:
        o.description ?? 'trust bundle, [TD=]FILE (PEM, SPIFFE JWKS or bundle map); repeatable, one per trust domain',
      multiple: true,
    }),
  keyType: (o: {description?: string} = {}) =>
    Flags.string({description: o.description ?? 'key type', options: [...KEY_TYPES], default: 'ec-p256'}),
  ttl: (o: {description: string; default?: string}) => Flags.string({description: o.description, default: o.default}),
  at: () =>
    Flags.string({description: 'evaluation time: RFC 3339 or a signed duration from now (-1h, +10m); default now'}),
  force: (o: {description: string}) => Flags.boolean({description: o.description, default: false}),
  /** docs/security.md "Directories other users can write are not trusted": the loudly named way past `unsafe-dir`. */
  allowSharedDir: () =>
    Flags.boolean({
      description:
        'INSECURE: write even when another user (not you or root) can write the directory or one above it; they could redirect the write',
      default: false,
    }),
  layout: () =>
    Flags.string({
      description: 'SVID directory layout (default: detected from the files present; ambiguous: exit 2)',
      options: Object.keys(LAYOUTS),
    }),
  certFile: () => Flags.string({description: 'chain file name inside the directory (overrides the layout)'}),
  keyFile: () => Flags.string({description: 'key file name inside the directory (overrides the layout)'}),
  bundleFile: () => Flags.string({description: 'bundle file name inside the directory (overrides the layout)'}),
}

/**
 * The flags and arguments whose value is a path (a file, a directory or a socket). An empty
 * value is a usage error on every command (docs/security.md "An empty or dotted path never names the current directory"): an
 * unset shell variable (`--out "$CA_DIR"`) must never name the current directory.
 */
const PATH_FLAGS = new Set([
  'out',
  'dir',
  'socket',
  'timeline',
  'ca',
  'pid-file',
  'cert-file',
  'key-file',
  'bundle-file',
  'p12-password-file',
  'plan',
  'svid',
  'key',
  'bundle',
  'federate',
])

/** Throws a usage error (exit 2) for a path flag or argument given an empty value. */
export function checkPathValues(flags: Record<string, unknown>, args: Record<string, unknown> = {}): void {
  const hint = 'give a path; an unset shell variable ("$DIR") expands to an empty value'
  for (const [name, value] of Object.entries(flags)) {
    if (PATH_FLAGS.has(name) && (Array.isArray(value) ? value : [value]).includes(''))
      throw usageError(`--${name} "" is empty: it must name a path`, hint)
  }
  for (const [name, value] of Object.entries(args)) {
    if (PATH_FLAGS.has(name) && value === '')
      throw usageError(`argument ${name.toUpperCase()} "" is empty: it must name a path`, hint)
  }
}
