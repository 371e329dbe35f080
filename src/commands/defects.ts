import {Flags} from '@oclif/core'
import {DEFECT_FAMILIES, defectCatalogue} from '../core/defects/list.js'
import {SvidkitCommand} from '../cli/base-command.js'
import {describe} from '../cli/exit-codes.js'
import {renderDefectCatalogue} from '../cli/render/defects.js'

export default class Defects extends SvidkitCommand {
  static override summary = 'List the deliberate defects of issue --defect and jwt issue --defect'
  static override description = describe(`
Lists the catalogue of deliberately broken SVIDs, for testing verifiers: the X509-SVID leaf
defects of "issue --defect" (family x509) and the JWT-SVID defects of "jwt issue --defect"
(family jwt). Each breaks one rule, named with its specification section, and names the
reason code svidkit's verify (or jwt verify) reports for it; "[verify --strict]" marks the
ones only strict verification rejects. --json prints one array of {name, family, code,
description, spec, strictOnly}. "issue --list-defects" and "jwt issue --list-defects" print
their own family as before, but are deprecated.`)

  static override examples = [
    {description: 'List every defect of both families with the rule it breaks', command: '<%= config.bin %> defects'},
    {
      description: 'List the X509-SVID defects only, as JSON, for a test generator',
      command: '<%= config.bin %> defects --family x509 --json',
    },
  ]

  static override flags = {
    family: Flags.option({
      description: 'list one family only: x509 (issue --defect) or jwt (jwt issue --defect)',
      options: DEFECT_FAMILIES,
    })(),
  }

  async run() {
    const {flags} = await this.parse(Defects)
    const entries = defectCatalogue(flags.family)
    for (const line of renderDefectCatalogue(entries)) this.log(line)
    return entries
  }
}
