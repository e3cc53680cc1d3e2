import type { FieldCipher } from '../../../crypto/field-encryption.js';
import type { Tx } from '../../../db/tenant.js';
import { organizationSigningIdentity } from './certificate.js';
import { buildSignedPdf, type SignatureEvidence } from './signed-document.js';

export interface SignatureRequest {
  trx: Tx;
  organizationId: string;
  /** The document version being signed, as stored. */
  original: Buffer;
  evidence: SignatureEvidence;
}

/**
 * Where signatures are made. The built-in provider signs at once on the portal's own page; an
 * external one (DocuSign) would answer with a URL to send the signer to and complete later from
 * its webhook — hence the two outcomes.
 */
export interface SignatureProvider {
  readonly name: string;
  sign(request: SignatureRequest): Promise<{ kind: 'signed'; document: Buffer } | { kind: 'redirect'; url: string; expiresAt: Date }>;
}

/** The built-in provider: the signed PDF is sealed with the organization's own certificate. */
export function builtInSignatureProvider(cipher: FieldCipher): SignatureProvider {
  return {
    name: 'builtin',
    async sign({ trx, organizationId, original, evidence }) {
      const identity = await organizationSigningIdentity(trx, cipher, organizationId);
      return { kind: 'signed', document: await buildSignedPdf(original, evidence, identity) };
    },
  };
}
