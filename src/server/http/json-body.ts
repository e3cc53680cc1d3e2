import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { AppError } from './errors.js';

const MAX_DEPTH = 32;

/** Rejects what JSON allows but no field of ours should hold: NUL characters and absurd nesting. */
function inspect(value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new AppError('validation_error', `JSON nested deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new AppError('invalid_characters', 'Text must not contain NUL characters');
  } else if (Array.isArray(value)) {
    for (const item of value) inspect(item, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) throw new AppError('invalid_characters', 'Field names must not contain NUL characters');
      inspect(v, depth + 1);
    }
  }
}

export function registerJsonParser(app: FastifyInstance) {
  // JSON only (multipart is added by its plugin); text/plain and the rest answer 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, (_req, body, done) => {
    const raw = body as string;
    if (raw.trim() === '') return done(new AppError('malformed_json', 'The body is empty but declared as JSON'));
    let parsed: unknown;
    try {
      // Prototype-pollution keys are refused outright, not silently dropped.
      parsed = secureJson.parse(raw, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (err) {
      return done(new AppError('malformed_json', (err as Error).message.includes('prototype') ? 'Forbidden property name in JSON' : 'The body is not valid JSON'));
    }
    try {
      inspect(parsed, 0);
    } catch (err) {
      return done(err as Error);
    }
    done(null, parsed);
  });
}
