import { open } from 'node:fs/promises';

/**
 * Reads a file as lines of byte strings (see bytes.ts), calling `onLine` for
 * each with its 1-based number and the byte offset where it starts.
 *
 * Two buffers alternate: while one chunk's lines are processed, the next
 * chunk is already being read, so the disk and the parser work at the same
 * time. Each chunk is cut at its last newline and decoded once (one char per
 * byte, so a char index is a byte offset); the unfinished line is copied in
 * front of the next chunk. Lines are slices of the chunk's string: nothing is
 * copied per line and memory stays at a few chunks.
 */
const CHUNK_BYTES = 4 << 20;
/** Room in front of each chunk for the unfinished line of the previous one; longer lines take a slower path. */
const CARRY_ROOM = 1 << 20;

export type LineHandler = (line: string, lineNo: number, offset: number) => void;

export async function forEachLine(path: string, onLine: LineHandler, onBytes?: (bytes: number) => void): Promise<number> {
  const file = await open(path, 'r');
  let pending: Promise<{ bytesRead: number }> | undefined;
  try {
    const buffers = [Buffer.allocUnsafe(CARRY_ROOM + CHUNK_BYTES), Buffer.allocUnsafe(CARRY_ROOM + CHUNK_BYTES)];
    let carry: Buffer = Buffer.alloc(0); // the unfinished line, copied out of the previous chunk
    let base = 0; // file offset of the first byte of `carry`
    let position = 0; // file offset of the next read
    let lineNo = 0;
    let k = 0;
    pending = file.read(buffers[0] as Buffer, CARRY_ROOM, CHUNK_BYTES, position);
    for (;;) {
      const { bytesRead } = await pending;
      pending = undefined;
      position += bytesRead;
      let chunk = buffers[k] as Buffer;
      let start: number;
      if (carry.length <= CARRY_ROOM) {
        start = CARRY_ROOM - carry.length;
        carry.copy(chunk, start);
      } else {
        // A line longer than the room in front: join it the slow way.
        chunk = Buffer.concat([carry, chunk.subarray(CARRY_ROOM, CARRY_ROOM + bytesRead)]);
        start = 0;
      }
      const end = chunk === buffers[k] ? CARRY_ROOM + bytesRead : chunk.length;
      if (bytesRead === 0) {
        if (end > start) emit(chunk.toString('latin1', start, end), base);
        break;
      }
      // Read ahead into the other buffer while this chunk is processed.
      k = 1 - k;
      pending = file.read(buffers[k] as Buffer, CARRY_ROOM, CHUNK_BYTES, position);
      const cut = chunk.lastIndexOf(10, end - 1);
      if (cut < start) {
        carry = Buffer.from(chunk.subarray(start, end));
        continue;
      }
      emit(chunk.toString('latin1', start, cut), base);
      base += cut + 1 - start;
      carry = Buffer.from(chunk.subarray(cut + 1, end));
      onBytes?.(position);
    }
    onBytes?.(position);
    return lineNo;

    function emit(text: string, at: number): void {
      let from = 0;
      for (;;) {
        const nl = text.indexOf('\n', from);
        const stop = nl < 0 ? text.length : nl;
        let line = text.slice(from, stop);
        if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
        onLine(line, ++lineNo, at + from);
        if (nl < 0) break;
        from = nl + 1;
      }
    }
  } finally {
    // A handler that throws leaves a read in flight: let it land before closing.
    await pending?.catch(() => undefined);
    await file.close();
  }
}

/**
 * Reads the lines starting at the given byte offsets of one file, calling
 * `onLine(line, start)` for the line at each `start` and then for the lines
 * after it for as long as it returns true — one line is enough for JSON
 * lines; a CSV record may span several.
 */
export async function readLinesAt(path: string, offsets: readonly number[], onLine: (line: string, start: number) => boolean): Promise<void> {
  const file = await open(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(64 << 10);
    for (const start of [...offsets].sort((a, b) => a - b)) {
      let at = start;
      for (;;) {
        let length = 0;
        let nl = -1;
        for (;;) {
          const { bytesRead } = await file.read(buffer, length, buffer.length - length, at + length);
          const from = length;
          length += bytesRead;
          nl = buffer.indexOf(10, from);
          if (nl >= 0 && nl < length) break;
          nl = -1;
          if (bytesRead === 0) break;
          if (length === buffer.length) {
            const bigger = Buffer.allocUnsafe(buffer.length * 2);
            buffer.copy(bigger, 0, 0, length);
            buffer = bigger;
          }
        }
        const stop = nl >= 0 ? nl : length;
        let line = buffer.toString('latin1', 0, stop);
        if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
        if (!onLine(line, start) || nl < 0) break;
        at += stop + 1;
      }
    }
  } finally {
    await file.close();
  }
}
