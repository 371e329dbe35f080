/**
 * Returns the CA directory a command uses when `--ca` (or `ca init --out`) is not given:
 * `$SVIDKIT_CA` when set and not empty (as mkcert's CAROOT and step's STEPPATH), else `ca`
 * in the current directory.
 */
export function defaultCaDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SVIDKIT_CA || 'ca'
}
