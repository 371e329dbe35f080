/**
 * The end-entity tests of NIST PKITS (Public Key Interoperability Test Suite, 2011 data as
 * shipped by Debian's python3-cryptography-vectors) for the sections svidkit implements.
 * Each case names its end-entity file and the CA certificates between it and the trust
 * anchor (TrustAnchorRootCertificate); they are handed over as an unordered pool, so the
 * path is built, not given. The expected verdict is the file name's Valid/Invalid.
 *
 * Sections left out (docs/verification.md "Out of scope"): 4.4 and 4.14-4.15 (CRLs, delta
 * CRLs, distribution points), 4.8-4.12 (certificate policies), and the PKITS cases whose
 * verdict depends only on revocation (4.5.2, 4.5.5, 4.5.7, 4.7.4, 4.7.5).
 */

/** One PKITS case: section number, end-entity file stem, intermediate file stems. */
export interface PkitsCase {
  id: string
  ee: string
  cas: string[]
  /**
   * A deliberate, documented difference from PKITS's verdict (docs/verification.md
   * "PKITS"): svidkit rejects with this code where PKITS expects a valid path.
   */
  deviation?: {code: string; why: string}
}

const DSA = {
  code: 'untrusted-chain',
  why: 'the DSA CA signs with dsa-with-SHA1: svidkit refuses SHA-1 signatures and DSA keys, as Go crypto/x509 does',
}

export const PKITS_CASES: PkitsCase[] = [
  // 4.1 Signature verification
  {id: '4.1.1', ee: 'ValidCertificatePathTest1EE', cas: ['GoodCACert']},
  {id: '4.1.2', ee: 'InvalidCASignatureTest2EE', cas: ['BadSignedCACert']},
  {id: '4.1.3', ee: 'InvalidEESignatureTest3EE', cas: ['GoodCACert']},
  {id: '4.1.4', ee: 'ValidDSASignaturesTest4EE', cas: ['DSACACert'], deviation: DSA},
  {
    id: '4.1.5',
    ee: 'ValidDSAParameterInheritanceTest5EE',
    cas: ['DSACACert', 'DSAParametersInheritedCACert'],
    deviation: {
      code: 'pem-invalid',
      why: 'a DSA key without parameters (inherited from the issuer) cannot be read; svidkit refuses DSA anyway',
    },
  },
  {id: '4.1.6', ee: 'InvalidDSASignatureTest6EE', cas: ['DSACACert']},
  // 4.2 Validity periods
  {id: '4.2.1', ee: 'InvalidCAnotBeforeDateTest1EE', cas: ['BadnotBeforeDateCACert']},
  {id: '4.2.2', ee: 'InvalidEEnotBeforeDateTest2EE', cas: ['GoodCACert']},
  {id: '4.2.3', ee: 'Validpre2000UTCnotBeforeDateTest3EE', cas: ['GoodCACert']},
  {id: '4.2.4', ee: 'ValidGeneralizedTimenotBeforeDateTest4EE', cas: ['GoodCACert']},
  {id: '4.2.5', ee: 'InvalidCAnotAfterDateTest5EE', cas: ['BadnotAfterDateCACert']},
  {id: '4.2.6', ee: 'InvalidEEnotAfterDateTest6EE', cas: ['GoodCACert']},
  {id: '4.2.7', ee: 'Invalidpre2000UTCEEnotAfterDateTest7EE', cas: ['GoodCACert']},
  {id: '4.2.8', ee: 'ValidGeneralizedTimenotAfterDateTest8EE', cas: ['GoodCACert']},
  // 4.3 Verifying name chaining
  {id: '4.3.1', ee: 'InvalidNameChainingTest1EE', cas: ['GoodCACert']},
  {id: '4.3.2', ee: 'InvalidNameChainingOrderTest2EE', cas: ['NameOrderingCACert']},
  {id: '4.3.3', ee: 'ValidNameChainingWhitespaceTest3EE', cas: ['GoodCACert']},
  {id: '4.3.4', ee: 'ValidNameChainingWhitespaceTest4EE', cas: ['GoodCACert']},
  {id: '4.3.5', ee: 'ValidNameChainingCapitalizationTest5EE', cas: ['GoodCACert']},
  {id: '4.3.6', ee: 'ValidNameUIDsTest6EE', cas: ['UIDCACert']},
  {id: '4.3.7', ee: 'ValidRFC3280MandatoryAttributeTypesTest7EE', cas: ['RFC3280MandatoryAttributeTypesCACert']},
  {id: '4.3.8', ee: 'ValidRFC3280OptionalAttributeTypesTest8EE', cas: ['RFC3280OptionalAttributeTypesCACert']},
  {id: '4.3.9', ee: 'ValidUTF8StringEncodedNamesTest9EE', cas: ['UTF8StringEncodedNamesCACert']},
  {
    id: '4.3.10',
    ee: 'ValidRolloverfromPrintableStringtoUTF8StringTest10EE',
    cas: ['RolloverfromPrintableStringtoUTF8StringCACert'],
  },
  {id: '4.3.11', ee: 'ValidUTF8StringCaseInsensitiveMatchTest11EE', cas: ['UTF8StringCaseInsensitiveMatchCACert']},
  // 4.5 Verifying paths with self-issued certificates (4.5.2, 4.5.5 and 4.5.7 are revocation tests)
  {
    id: '4.5.1',
    ee: 'ValidBasicSelfIssuedOldWithNewTest1EE',
    cas: ['BasicSelfIssuedNewKeyOldWithNewCACert', 'BasicSelfIssuedNewKeyCACert'],
  },
  {
    id: '4.5.3',
    ee: 'ValidBasicSelfIssuedNewWithOldTest3EE',
    cas: ['BasicSelfIssuedOldKeyNewWithOldCACert', 'BasicSelfIssuedOldKeyCACert'],
  },
  {
    id: '4.5.4',
    ee: 'ValidBasicSelfIssuedNewWithOldTest4EE',
    cas: ['BasicSelfIssuedOldKeyNewWithOldCACert', 'BasicSelfIssuedOldKeyCACert'],
  },
  {
    id: '4.5.6',
    ee: 'ValidBasicSelfIssuedCRLSigningKeyTest6EE',
    cas: ['BasicSelfIssuedCRLSigningKeyCACert', 'BasicSelfIssuedCRLSigningKeyCRLCert'],
  },
  {
    id: '4.5.8',
    ee: 'InvalidBasicSelfIssuedCRLSigningKeyTest8EE',
    cas: ['BasicSelfIssuedCRLSigningKeyCRLCert', 'BasicSelfIssuedCRLSigningKeyCACert'],
  },
  // 4.6 Verifying basic constraints
  {id: '4.6.1', ee: 'InvalidMissingbasicConstraintsTest1EE', cas: ['MissingbasicConstraintsCACert']},
  {id: '4.6.2', ee: 'InvalidcAFalseTest2EE', cas: ['basicConstraintsCriticalcAFalseCACert']},
  {id: '4.6.3', ee: 'InvalidcAFalseTest3EE', cas: ['basicConstraintsNotCriticalcAFalseCACert']},
  {id: '4.6.4', ee: 'ValidbasicConstraintsNotCriticalTest4EE', cas: ['basicConstraintsNotCriticalCACert']},
  {
    id: '4.6.5',
    ee: 'InvalidpathLenConstraintTest5EE',
    cas: ['pathLenConstraint0CACert', 'pathLenConstraint0subCACert'],
  },
  {
    id: '4.6.6',
    ee: 'InvalidpathLenConstraintTest6EE',
    cas: ['pathLenConstraint0CACert', 'pathLenConstraint0subCACert'],
  },
  {id: '4.6.7', ee: 'ValidpathLenConstraintTest7EE', cas: ['pathLenConstraint0CACert']},
  {id: '4.6.8', ee: 'ValidpathLenConstraintTest8EE', cas: ['pathLenConstraint0CACert']},
  {
    id: '4.6.9',
    ee: 'InvalidpathLenConstraintTest9EE',
    cas: ['pathLenConstraint6CACert', 'pathLenConstraint6subCA0Cert', 'pathLenConstraint6subsubCA00Cert'],
  },
  {
    id: '4.6.10',
    ee: 'InvalidpathLenConstraintTest10EE',
    cas: ['pathLenConstraint6CACert', 'pathLenConstraint6subCA0Cert', 'pathLenConstraint6subsubCA00Cert'],
  },
  {
    id: '4.6.11',
    ee: 'InvalidpathLenConstraintTest11EE',
    cas: [
      'pathLenConstraint6CACert',
      'pathLenConstraint6subCA1Cert',
      'pathLenConstraint6subsubCA11Cert',
      'pathLenConstraint6subsubsubCA11XCert',
    ],
  },
  {
    id: '4.6.12',
    ee: 'InvalidpathLenConstraintTest12EE',
    cas: [
      'pathLenConstraint6CACert',
      'pathLenConstraint6subCA1Cert',
      'pathLenConstraint6subsubCA11Cert',
      'pathLenConstraint6subsubsubCA11XCert',
    ],
  },
  {
    id: '4.6.13',
    ee: 'ValidpathLenConstraintTest13EE',
    cas: [
      'pathLenConstraint6CACert',
      'pathLenConstraint6subCA4Cert',
      'pathLenConstraint6subsubCA41Cert',
      'pathLenConstraint6subsubsubCA41XCert',
    ],
  },
  {
    id: '4.6.14',
    ee: 'ValidpathLenConstraintTest14EE',
    cas: [
      'pathLenConstraint6CACert',
      'pathLenConstraint6subCA4Cert',
      'pathLenConstraint6subsubCA41Cert',
      'pathLenConstraint6subsubsubCA41XCert',
    ],
  },
  {
    id: '4.6.15',
    ee: 'ValidSelfIssuedpathLenConstraintTest15EE',
    cas: ['pathLenConstraint0CACert', 'pathLenConstraint0SelfIssuedCACert'],
  },
  {
    id: '4.6.16',
    ee: 'InvalidSelfIssuedpathLenConstraintTest16EE',
    cas: ['pathLenConstraint0CACert', 'pathLenConstraint0SelfIssuedCACert', 'pathLenConstraint0subCA2Cert'],
  },
  {
    id: '4.6.17',
    ee: 'ValidSelfIssuedpathLenConstraintTest17EE',
    cas: [
      'pathLenConstraint1CACert',
      'pathLenConstraint1SelfIssuedCACert',
      'pathLenConstraint1subCACert',
      'pathLenConstraint1SelfIssuedsubCACert',
    ],
  },
  // 4.7 Key usage (4.7.4 and 4.7.5 concern CRL signing)
  {id: '4.7.1', ee: 'InvalidkeyUsageCriticalkeyCertSignFalseTest1EE', cas: ['keyUsageCriticalkeyCertSignFalseCACert']},
  {
    id: '4.7.2',
    ee: 'InvalidkeyUsageNotCriticalkeyCertSignFalseTest2EE',
    cas: ['keyUsageNotCriticalkeyCertSignFalseCACert'],
  },
  {id: '4.7.3', ee: 'ValidkeyUsageNotCriticalTest3EE', cas: ['keyUsageNotCriticalCACert']},
  // 4.13 Name constraints
  {id: '4.13.1', ee: 'ValidDNnameConstraintsTest1EE', cas: ['nameConstraintsDN1CACert']},
  {id: '4.13.2', ee: 'InvalidDNnameConstraintsTest2EE', cas: ['nameConstraintsDN1CACert']},
  {id: '4.13.3', ee: 'InvalidDNnameConstraintsTest3EE', cas: ['nameConstraintsDN1CACert']},
  {id: '4.13.4', ee: 'ValidDNnameConstraintsTest4EE', cas: ['nameConstraintsDN1CACert']},
  {id: '4.13.5', ee: 'ValidDNnameConstraintsTest5EE', cas: ['nameConstraintsDN2CACert']},
  {id: '4.13.6', ee: 'ValidDNnameConstraintsTest6EE', cas: ['nameConstraintsDN3CACert']},
  {id: '4.13.7', ee: 'InvalidDNnameConstraintsTest7EE', cas: ['nameConstraintsDN3CACert']},
  {id: '4.13.8', ee: 'InvalidDNnameConstraintsTest8EE', cas: ['nameConstraintsDN4CACert']},
  {id: '4.13.9', ee: 'InvalidDNnameConstraintsTest9EE', cas: ['nameConstraintsDN4CACert']},
  {id: '4.13.10', ee: 'InvalidDNnameConstraintsTest10EE', cas: ['nameConstraintsDN5CACert']},
  {id: '4.13.11', ee: 'ValidDNnameConstraintsTest11EE', cas: ['nameConstraintsDN5CACert']},
  {
    id: '4.13.12',
    ee: 'InvalidDNnameConstraintsTest12EE',
    cas: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA1Cert'],
  },
  {
    id: '4.13.13',
    ee: 'InvalidDNnameConstraintsTest13EE',
    cas: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA2Cert'],
  },
  {
    id: '4.13.14',
    ee: 'ValidDNnameConstraintsTest14EE',
    cas: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA2Cert'],
  },
  {
    id: '4.13.15',
    ee: 'InvalidDNnameConstraintsTest15EE',
    cas: ['nameConstraintsDN3CACert', 'nameConstraintsDN3subCA1Cert'],
  },
  {
    id: '4.13.16',
    ee: 'InvalidDNnameConstraintsTest16EE',
    cas: ['nameConstraintsDN3CACert', 'nameConstraintsDN3subCA1Cert'],
  },
  {
    id: '4.13.17',
    ee: 'InvalidDNnameConstraintsTest17EE',
    cas: ['nameConstraintsDN3CACert', 'nameConstraintsDN3subCA2Cert'],
  },
  {
    id: '4.13.18',
    ee: 'ValidDNnameConstraintsTest18EE',
    cas: ['nameConstraintsDN3CACert', 'nameConstraintsDN3subCA2Cert'],
  },
  {
    id: '4.13.19',
    ee: 'ValidDNnameConstraintsTest19EE',
    cas: ['nameConstraintsDN1CACert', 'nameConstraintsDN1SelfIssuedCACert'],
  },
  {id: '4.13.20', ee: 'InvalidDNnameConstraintsTest20EE', cas: ['nameConstraintsDN1CACert']},
  {id: '4.13.21', ee: 'ValidRFC822nameConstraintsTest21EE', cas: ['nameConstraintsRFC822CA1Cert']},
  {id: '4.13.22', ee: 'InvalidRFC822nameConstraintsTest22EE', cas: ['nameConstraintsRFC822CA1Cert']},
  {id: '4.13.23', ee: 'ValidRFC822nameConstraintsTest23EE', cas: ['nameConstraintsRFC822CA2Cert']},
  {id: '4.13.24', ee: 'InvalidRFC822nameConstraintsTest24EE', cas: ['nameConstraintsRFC822CA2Cert']},
  {id: '4.13.25', ee: 'ValidRFC822nameConstraintsTest25EE', cas: ['nameConstraintsRFC822CA3Cert']},
  {id: '4.13.26', ee: 'InvalidRFC822nameConstraintsTest26EE', cas: ['nameConstraintsRFC822CA3Cert']},
  {
    id: '4.13.27',
    ee: 'ValidDNandRFC822nameConstraintsTest27EE',
    cas: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA3Cert'],
  },
  {
    id: '4.13.28',
    ee: 'InvalidDNandRFC822nameConstraintsTest28EE',
    cas: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA3Cert'],
  },
  {
    id: '4.13.29',
    ee: 'InvalidDNandRFC822nameConstraintsTest29EE',
    cas: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA3Cert'],
  },
  {id: '4.13.30', ee: 'ValidDNSnameConstraintsTest30EE', cas: ['nameConstraintsDNS1CACert']},
  {id: '4.13.31', ee: 'InvalidDNSnameConstraintsTest31EE', cas: ['nameConstraintsDNS1CACert']},
  {id: '4.13.32', ee: 'ValidDNSnameConstraintsTest32EE', cas: ['nameConstraintsDNS2CACert']},
  {id: '4.13.33', ee: 'InvalidDNSnameConstraintsTest33EE', cas: ['nameConstraintsDNS2CACert']},
  {id: '4.13.34', ee: 'ValidURInameConstraintsTest34EE', cas: ['nameConstraintsURI1CACert']},
  {id: '4.13.35', ee: 'InvalidURInameConstraintsTest35EE', cas: ['nameConstraintsURI1CACert']},
  {id: '4.13.36', ee: 'ValidURInameConstraintsTest36EE', cas: ['nameConstraintsURI2CACert']},
  {id: '4.13.37', ee: 'InvalidURInameConstraintsTest37EE', cas: ['nameConstraintsURI2CACert']},
  {id: '4.13.38', ee: 'InvalidDNSnameConstraintsTest38EE', cas: ['nameConstraintsDNS1CACert']},
  // 4.16 Private certificate extensions
  {id: '4.16.1', ee: 'ValidUnknownNotCriticalCertificateExtensionTest1EE', cas: []},
  {id: '4.16.2', ee: 'InvalidUnknownCriticalCertificateExtensionTest2EE', cas: []},
]

/** Returns true when PKITS expects the path to validate (the file name starts with Valid). */
export function pkitsExpectsValid(c: PkitsCase): boolean {
  return c.ee.startsWith('Valid')
}
