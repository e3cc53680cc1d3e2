import { createHash, createPrivateKey, randomBytes, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { FieldCipher } from '../../../crypto/field-encryption.js';
import type { Tx } from '../../../db/tenant.js';
import { AppError } from '../../../http/errors.js';

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));

/** What the signer needs: the certificate (embedded in every signature) and its private key. */
export interface SigningIdentity {
  certificateDer: Buffer;
  privateKey: webcrypto.CryptoKey;
  fingerprint: string;
  subject: string;
}

const GENERATED_YEARS = 5;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const keyField = (organizationId: string) => ({ table: 'organization_signing_keys', column: 'private_key_encrypted', rowId: organizationId });

function describe(certificate: X509Certificate) {
  return {
    certificate_pem: certificate.toString(),
    fingerprint_sha256: createHash('sha256').update(certificate.raw).digest('hex'),
    subject: certificate.subject.replace(/\n/g, ', '),
    not_after: new Date(certificate.validTo),
  };
}

/**
 * A self-signed document-signing certificate for an organization (RSA 2048, SHA-256, key usage
 * digital signature + non-repudiation). Readers show it as "not trusted" until the organization
 * trusts it or uploads one issued by a CA; the signature itself verifies either way.
 */
export async function generateSigningCertificate(organizationName: string, now = new Date()) {
  const algorithm = { ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + GENERATED_YEARS);
  // CN and O as two RDNs (pkijs would put both into one multi-valued RDN).
  const name = (cn: string, o: string) => pkijs.RelativeDistinguishedNames.fromBER(new asn1js.Sequence({
    value: [['2.5.4.3', cn], ['2.5.4.10', o]].map(([type, value]) =>
      new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value: value!.slice(0, 64) }) }).toSchema()] })),
  }).toBER(false));
  const serial = randomBytes(16);
  // Positive and minimally encoded (DER refuses a leading zero byte): first byte 0x40–0x7f.
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  const certificate = new pkijs.Certificate({
    version: 2,
    serialNumber: new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer }),
    issuer: name(`${organizationName} document signing`, organizationName),
    subject: name(`${organizationName} document signing`, organizationName),
    notBefore: new pkijs.Time({ type: 0, value: new Date(now.getTime() - 60_000) }),
    notAfter: new pkijs.Time({ type: 0, value: notAfter }),
  });
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey as unknown as CryptoKey);
  const publicKeyBits = certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  // digitalSignature + nonRepudiation: the first two bits of the KeyUsage bit string.
  const keyUsage = new asn1js.BitString({ valueHex: new Uint8Array([0xc0]).buffer, unusedBits: 6 });
  certificate.extensions = [
    new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: new pkijs.BasicConstraints({ cA: false }).toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: keyUsage.toBER(false) }),
    new pkijs.Extension({ extnID: '2.5.29.14', extnValue: new asn1js.OctetString({ valueHex: new Uint8Array(createHash('sha1').update(publicKeyBits).digest()).buffer }).toBER(false) }),
  ];
  await certificate.sign(keys.privateKey as unknown as CryptoKey, 'SHA-256');
  const der = Buffer.from(certificate.toSchema(true).toBER(false));
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certificate: new X509Certificate(der), privateKeyPem: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string };
}

/** Imports a private key for signing with the algorithm its type calls for (RSA or P-256). */
async function importSigningKey(key: KeyObject): Promise<webcrypto.CryptoKey> {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType === 'rsa') return webcrypto.subtle.importKey('pkcs8', der, RSA, false, ['sign']);
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return webcrypto.subtle.importKey('pkcs8', der, { name: ECDSA.name, namedCurve: ECDSA.namedCurve }, false, ['sign']);
  }
  throw new AppError('validation_error', 'The signing key must be RSA or ECDSA P-256', [{ field: 'body.private_key_pem', message: 'Unsupported key type' }]);
}

/**
 * Checks an uploaded certificate and key before anything is stored: they parse, belong together,
 * are valid now and allow document signing.
 */
export function checkUploadedCertificate(certificatePem: string, privateKeyPem: string, now = new Date()) {
  let certificate: X509Certificate;
  let key: KeyObject;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new AppError('validation_error', 'The certificate is not a PEM X.509 certificate', [{ field: 'body.certificate_pem', message: 'Not a certificate' }]);
  }
  try {
    key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  } catch {
    throw new AppError('validation_error', 'The private key is not an unencrypted PEM key', [{ field: 'body.private_key_pem', message: 'Not a private key (PKCS#8 or PKCS#1 PEM, without a passphrase)' }]);
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new AppError('validation_error', 'The private key does not belong to the certificate', [{ field: 'body.private_key_pem', message: 'Does not match the certificate' }]);
  }
  if (new Date(certificate.validFrom) > now || new Date(certificate.validTo) <= now) {
    throw new AppError('validation_error', 'The certificate is not valid now', [{ field: 'body.certificate_pem', message: `Valid ${certificate.validFrom} – ${certificate.validTo}` }]);
  }
  if (certificate.ca) {
    throw new AppError('validation_error', 'Upload a document-signing certificate, not a CA certificate', [{ field: 'body.certificate_pem', message: 'CA certificate' }]);
  }
  if (key.asymmetricKeyType !== 'rsa' && !(key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')) {
    throw new AppError('validation_error', 'The signing key must be RSA or ECDSA P-256', [{ field: 'body.private_key_pem', message: 'Unsupported key type' }]);
  }
  return { certificate, privateKeyPem: key.export({ format: 'pem', type: 'pkcs8' }) as string };
}

/** Stores (or replaces) the organization's certificate; the key is encrypted with the field key ring. */
export async function saveSigningCertificate(trx: Tx, cipher: FieldCipher, organizationId: string, certificate: X509Certificate, privateKeyPem: string, source: 'generated' | 'uploaded') {
  const values = { ...describe(certificate), private_key_encrypted: cipher.encrypt(privateKeyPem, keyField(organizationId)), source };
  await trx.insertInto('organization_signing_keys').values({ organization_id: organizationId, ...values })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet(values)).execute();
  return describe(certificate);
}

export function signingCertificateInfo(trx: Tx, organizationId: string) {
  return trx.selectFrom('organization_signing_keys').select(['subject', 'fingerprint_sha256', 'not_after', 'source', 'updated_at'])
    .where('organization_id', '=', organizationId).executeTakeFirst();
}

/**
 * The organization's signing identity, made on first use. Two first signatures at once: the
 * second insert does nothing and both read the one row that won.
 */
export async function organizationSigningIdentity(trx: Tx, cipher: FieldCipher, organizationId: string): Promise<SigningIdentity> {
  const load = () => trx.selectFrom('organization_signing_keys').select(['certificate_pem', 'private_key_encrypted', 'fingerprint_sha256', 'subject'])
    .where('organization_id', '=', organizationId).executeTakeFirst();
  let row = await load();
  if (!row) {
    const organization = await trx.selectFrom('organizations').select('name').where('id', '=', organizationId).executeTakeFirstOrThrow();
    const { certificate, privateKeyPem } = await generateSigningCertificate(organization.name);
    await trx.insertInto('organization_signing_keys').values({
      organization_id: organizationId, ...describe(certificate), private_key_encrypted: cipher.encrypt(privateKeyPem, keyField(organizationId)), source: 'generated',
    }).onConflict((oc) => oc.column('organization_id').doNothing()).execute();
    row = await load();
    if (!row) throw new Error('signing certificate row missing after insert');
  }
  const certificate = new X509Certificate(row.certificate_pem);
  const key = createPrivateKey({ key: cipher.decrypt(row.private_key_encrypted, keyField(organizationId)), format: 'pem' });
  return { certificateDer: certificate.raw, privateKey: await importSigningKey(key), fingerprint: row.fingerprint_sha256, subject: row.subject };
}
