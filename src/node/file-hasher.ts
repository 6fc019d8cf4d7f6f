/** SHA-256 of files, computed on a worker thread (see file-hash-worker.ts). */

import { Worker } from 'node:worker_threads';
import { SsoError } from '../errors.js';

export interface FileDigest {
  sha256: string;
  size: number;
}

export class FileHasher {
  readonly #worker = new Worker(new URL('./file-hash-worker.js', import.meta.url));
  readonly #pending = new Map<number, { resolve: (d: FileDigest) => void; reject: (e: Error) => void }>();
  #next = 0;

  constructor() {
    this.#worker.on('message', (message: { id: number; sha256?: string; size?: number; error?: string }) => {
      const waiter = this.#pending.get(message.id)!;
      this.#pending.delete(message.id);
      if (message.error) waiter.reject(new SsoError('IO_ERROR', `cannot read a file to hash it: ${message.error}`));
      else waiter.resolve({ sha256: message.sha256!, size: message.size! });
    });
    this.#worker.on('error', (error) => {
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
    });
  }

  digest(path: string): Promise<FileDigest> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, path });
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
