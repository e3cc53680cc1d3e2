import { StandardFonts, rgb } from 'pdf-lib';
import type { Config } from '../../../config.js';
import type { FieldCipher } from '../../../crypto/field-encryption.js';
import type { Tx } from '../../../db/tenant.js';
import { organizationSigningIdentity } from './certificate.js';
import { DocusignClient, verifyConnectSignature, type DocusignSettings } from './docusign.js';
import { buildSignedPdf, loadOriginal, type SignatureEvidence } from './signed-document.js';

export interface SignatureRequest {
  trx: Tx;
  organizationId: string;
  /** The document version being signed, as stored. */
  original: Buffer;
  evidence: SignatureEvidence;
}

/** Signs at once on the portal's own page: the signed PDF is the answer. */
export interface ImmediateSignatureProvider {
  readonly name: 'builtin';
  readonly mode: 'immediate';
  sign(request: SignatureRequest): Promise<Buffer>;
}

export interface SigningSession {
  /** The document version to sign, as stored. */
  original: Buffer;
  contractTitle: string;
  organizationName: string;
  signer: { name: string; email: string };
  /** Ties the provider's signer to this assignment (DocuSign's clientUserId). */
  assignmentId: string;
  /** Where the provider sends the signer back to. */
  returnUrl: string;
  /** An envelope already made for this assignment and version, to be reused. */
  envelopeId: string | null;
}

/**
 * Signs on the provider's own page: the signer is sent there, and the signed PDF is fetched once
 * the provider reports completion (a webhook).
 */
export interface RedirectSignatureProvider {
  readonly name: 'docusign';
  readonly mode: 'redirect';
  start(session: SigningSession): Promise<{ envelopeId: string; url: string; expiresAt: Date }>;
  signedDocument(envelopeId: string): Promise<Buffer>;
  verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): boolean;
}

export type SignatureProvider = ImmediateSignatureProvider | RedirectSignatureProvider;

/** The built-in provider: the signed PDF is sealed with the organization's own certificate. */
export function builtInSignatureProvider(cipher: FieldCipher): ImmediateSignatureProvider {
  return {
    name: 'builtin',
    mode: 'immediate',
    async sign({ trx, organizationId, original, evidence }) {
      const identity = await organizationSigningIdentity(trx, cipher, organizationId);
      return buildSignedPdf(original, evidence, identity);
    },
  };
}

/** DocuSign keeps a recipient view URL valid for five minutes. */
const RECIPIENT_VIEW_SECONDS = 300;

/**
 * The contract with a signature page added at the end, where DocuSign's signature field goes,
 * so no clause of the document is covered. Answers the PDF and the page's number.
 */
export async function withSignaturePage(original: Buffer, session: Pick<SigningSession, 'contractTitle' | 'organizationName' | 'signer'>) {
  const doc = await loadOriginal(original);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const last = doc.getPages().at(-1);
  const [width, height] = last ? [last.getWidth(), last.getHeight()] : [595.28, 841.89];
  const page = doc.addPage([width, height]);
  // WinAnsi cannot show every name; unknown characters become '?'.
  const safe = (s: string) => s.replace(/[^\x20-\x7e\u00a0-\u00ff]/g, '?');
  page.drawText('Signature', { x: 72, y: height - 96, size: 18, font: bold });
  page.drawText(safe(`${session.contractTitle} - ${session.organizationName}`).slice(0, 90), { x: 72, y: height - 124, size: 11, font });
  page.drawText(safe(`Signed by ${session.signer.name} <${session.signer.email}>`).slice(0, 90), { x: 72, y: height - 160, size: 11, font });
  page.drawLine({ start: { x: 72, y: height - 260 }, end: { x: 320, y: height - 260 }, thickness: 0.75, color: rgb(0.4, 0.4, 0.4) });
  return { pdf: Buffer.from(await doc.save()), pageNumber: doc.getPageCount(), signatureAt: { x: 72, y: 200 } };
}

/** DocuSign embedded signing through its eSignature REST API. */
export function docusignSignatureProvider(settings: DocusignSettings, fetchImpl: typeof fetch = fetch): RedirectSignatureProvider {
  const client = new DocusignClient(settings, fetchImpl);
  return {
    name: 'docusign',
    mode: 'redirect',
    async start(session) {
      const signer = { ...session.signer, clientUserId: session.assignmentId };
      let envelopeId = session.envelopeId;
      if (!envelopeId) {
        const prepared = await withSignaturePage(session.original, session);
        envelopeId = await client.createEnvelope({
          subject: `Please sign: ${session.contractTitle}`,
          document: { pdf: prepared.pdf, name: `${session.contractTitle}.pdf` },
          signer,
          signHere: { pageNumber: prepared.pageNumber, ...prepared.signatureAt },
        });
      }
      const url = await client.recipientView({ envelopeId, signer, returnUrl: session.returnUrl });
      return { envelopeId, url, expiresAt: new Date(Date.now() + RECIPIENT_VIEW_SECONDS * 1000) };
    },
    signedDocument: (envelopeId) => client.combinedDocument(envelopeId),
    verifyWebhook: (rawBody, headers) => verifyConnectSignature(rawBody, headers, settings.connectHmacKeys),
  };
}

/** The provider the configuration names (checked complete by loadConfig). */
export function signatureProviderFor(config: Config, cipher: FieldCipher): SignatureProvider {
  if (config.SIGNATURE_PROVIDER !== 'docusign') return builtInSignatureProvider(cipher);
  const required = (value: string | undefined, name: string) => {
    if (!value) throw new Error(`${name} missing`);
    return value;
  };
  return docusignSignatureProvider({
    apiUrl: required(config.DOCUSIGN_API_URL, 'DOCUSIGN_API_URL'),
    authUrl: required(config.DOCUSIGN_AUTH_URL, 'DOCUSIGN_AUTH_URL'),
    accountId: required(config.DOCUSIGN_ACCOUNT_ID, 'DOCUSIGN_ACCOUNT_ID'),
    integrationKey: required(config.DOCUSIGN_INTEGRATION_KEY, 'DOCUSIGN_INTEGRATION_KEY'),
    userId: required(config.DOCUSIGN_USER_ID, 'DOCUSIGN_USER_ID'),
    privateKeyPem: required(config.DOCUSIGN_PRIVATE_KEY, 'DOCUSIGN_PRIVATE_KEY').replace(/\\n/g, '\n'),
    connectHmacKeys: config.DOCUSIGN_CONNECT_HMAC_KEYS ?? [],
  });
}
