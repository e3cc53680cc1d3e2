import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Where file bytes live. Providers (S3, SharePoint…) implement the same four operations. */
export interface FileStorage {
  readonly provider: string;
  /** Streams `source` in; returns the key, size and SHA-256. Rejects past `maxBytes`, leaving nothing behind. */
  put(source: Readable, options: { organizationId: string; maxBytes: number }): Promise<StoredObject>;
  get(key: string): Readable;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

export interface StoredObject {
  key: string;
  sizeBytes: number;
  sha256: string;
  /** The first bytes, for content sniffing without reading the file again. */
  head: Buffer;
}

export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`file exceeds ${maxBytes} bytes`);
  }
}

const HEAD_BYTES = 4100;

/** Local disk under the data folder, never inside a served folder. Keys are generated, never user-chosen. */
export class LocalDiskStorage implements FileStorage {
  readonly provider = 'local';

  constructor(private readonly root: string) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  private resolve(key: string): string {
    if (!/^[0-9a-f-]{36}\/[0-9a-f-]{36}$/.test(key)) throw new Error('invalid storage key');
    return path.join(this.root, key);
  }

  async put(source: Readable, options: { organizationId: string; maxBytes: number }): Promise<StoredObject> {
    const key = `${options.organizationId}/${randomUUID()}`;
    const target = this.resolve(key);
    await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const hash = createHash('sha256');
    let size = 0;
    const headParts: Buffer[] = [];
    let headSize = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > options.maxBytes) return done(new FileTooLargeError(options.maxBytes));
        if (headSize < HEAD_BYTES) {
          headParts.push(chunk.subarray(0, HEAD_BYTES - headSize));
          headSize += Math.min(chunk.length, HEAD_BYTES - headSize);
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, fs.createWriteStream(target, { flags: 'wx', mode: 0o600 }));
      // A multipart stream cut at its size limit ends "successfully" but marks itself truncated.
      if ((source as Readable & { truncated?: boolean }).truncated) throw new FileTooLargeError(options.maxBytes);
    } catch (err) {
      await fs.promises.rm(target, { force: true });
      throw err;
    }
    return { key, sizeBytes: size, sha256: hash.digest('hex'), head: Buffer.concat(headParts) };
  }

  get(key: string): Readable {
    return fs.createReadStream(this.resolve(key));
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.resolve(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return fs.promises.access(this.resolve(key)).then(() => true, () => false);
  }
}
