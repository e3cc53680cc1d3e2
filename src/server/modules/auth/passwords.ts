import { createRequire } from 'node:module';
import { hash, verify } from '@node-rs/argon2';

/** argon2id with OWASP's recommended cost (19 MiB, 2 passes). */
// algorithm 2 = Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

const require = createRequire(import.meta.url);
// Mozilla's offline list of common passwords from breach corpora (no network lookups).
const commonPasswords = require('fxa-common-password-list') as { test(password: string): boolean };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

// Verifying against this when no account exists keeps the timing of known and unknown e-mails alike.
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (!storedHash) {
    dummyHash ??= hash('not-a-real-password-for-timing', ARGON2);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}

/** Problems with a new password, as field messages; empty when it is acceptable. */
export function passwordProblems(password: string, context: { email?: string; names?: (string | null | undefined)[] } = {}): string[] {
  const problems: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) problems.push(`Use at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`Use at most ${MAX_PASSWORD_LENGTH} characters`);
  const lower = password.toLowerCase();
  if (commonPasswords.test(password) || commonPasswords.test(lower)) problems.push('This password appears in lists of breached passwords; choose another');
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) problems.push('Do not use your e-mail address in the password');
  for (const name of context.names ?? []) {
    if (name && name.length >= 4 && lower.includes(name.toLowerCase())) problems.push('Do not use your name in the password');
  }
  if (/^(.)\1+$/.test(password)) problems.push('Do not repeat one character');
  return [...new Set(problems)];
}
