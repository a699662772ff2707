import { CsvDecoder, detectFormat, JsonLinesDecoder, type Decoded } from './decode.js';

/**
 * A decoder for one file that settles on JSON lines or CSV when it sees the
 * first non-blank line (by the file's extension, else by that line).
 */
export class FileDecoder {
  private inner: JsonLinesDecoder | CsvDecoder | undefined;

  constructor(private readonly path: string) {}

  get format(): 'jsonl' | 'csv' | undefined {
    return this.inner === undefined ? undefined : this.inner instanceof JsonLinesDecoder ? 'jsonl' : 'csv';
  }

  decode(line: string, lineNo: number, offset = -1): Decoded {
    if (this.inner === undefined) {
      if (line.trim() === '') return undefined;
      this.inner = detectFormat(this.path, line) === 'jsonl' ? new JsonLinesDecoder() : new CsvDecoder();
    }
    return this.inner.decode(line, lineNo, offset);
  }

  end(): Decoded {
    return this.inner?.end();
  }
}
