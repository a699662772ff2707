import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Buffered file output that honours backpressure: strings are gathered into
 * ~1 MiB chunks (one syscall each) and the producer waits whenever the stream
 * is saturated, so memory stays flat however large the file grows.
 */
const CHUNK_CHARS = 1 << 20;

export class LineWriter {
  private readonly stream: WriteStream;
  private buffer = '';
  private failed: Error | undefined;

  constructor(path: string) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (err) => {
      this.failed = err;
    });
  }

  /** Appends text; resolves at once unless the stream needs to drain. */
  write(text: string): Promise<void> | undefined {
    this.buffer += text;
    if (this.buffer.length < CHUNK_CHARS) return undefined;
    return this.flush();
  }

  private async flush(): Promise<void> {
    if (this.failed) throw this.failed;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (this.buffer) await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    if (this.failed) throw this.failed;
  }
}
