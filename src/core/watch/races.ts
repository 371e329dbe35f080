/** Returns which races of the table in docs/rotation.md "Knobs" an invalid observation points to. */
export function raceOf(code: string, strategy: string): string {
  switch (code) {
    case 'key-mismatch':
      return 'R1/R11 cert and key read from different rotations'
    case 'pem-invalid':
    case 'key-invalid':
      return strategy === 'chokidar'
        ? 'R10 a throttled event read a torn or empty file'
        : 'R2 torn or empty file read mid-write'
    case 'file-not-found':
      return 'R6 the name was absent during an unlink or move'
    case 'untrusted-chain':
    case 'bundle-invalid':
      return 'R3 the bundle did not match the new leaf'
    case 'cert-not-yet-valid':
      return 'R14 the new leaf is not valid yet'
    case 'cert-expired':
      return 'R13 expired material'
    default:
      return code
  }
}
