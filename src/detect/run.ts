import { rename, stat } from 'node:fs/promises';
import { Detector, type Detection } from './detector.js';
import { collectEvidence } from './evidence.js';
import { forEachLine } from './log/lines.js';
import { FileDecoder } from './log/open.js';
import { DEFAULT_EXPIRY_DAYS, toSuspect } from './suspects.js';
import { LineWriter } from './log/writer.js';

/**
 * `cordon detect` end to end: stream every log through the detector,
 * report malformed lines (file:line: reason) and go on, score, re-read for
 * the suspects' identifiers and sample prompts, and write the suspects file.
 */
/** Suspects materialised at once (verdict, sampled lines, output) before moving on. */
const SUSPECT_BATCH = 2000;

export interface DetectRunOptions {
  readonly files: readonly string[];
  readonly out: string;
  readonly threshold?: number;
  readonly releases?: ReadonlyMap<string, number>;
  readonly expiryDays?: number;
  /** Clock for expiry times (tests pin it). */
  readonly now?: number;
  /** Called for each malformed line. */
  readonly onMalformed?: (file: string, line: number, reason: string) => void;
  /** Called now and then with how far the run is (for a progress display). */
  readonly onProgress?: (progress: DetectProgress) => void;
}

/** Phase `read`: bytes of log read of all; phase `write`: suspects written of all. `lines` read so far. */
export interface DetectProgress {
  readonly phase: 'read' | 'write';
  readonly done: number;
  readonly total: number;
  readonly lines: number;
}

/** Lines between progress calls while reading: fine enough for any display interval, and the call is cheap. */
const PROGRESS_EVERY_LINES = 1_000;

export interface DetectRunResult {
  readonly lines: number;
  readonly records: number;
  readonly malformed: number;
  readonly detection: Detection;
  readonly seconds: number;
}

export async function runDetection(options: DetectRunOptions): Promise<DetectRunResult> {
  const started = Date.now();
  const sizes = await Promise.all(options.files.map(async (f) => (await stat(f)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  const detector = new Detector({ threshold: options.threshold, releases: options.releases });
  const progress = options.onProgress;
  let lines = 0;
  let records = 0;
  let malformed = 0;
  let before = 0;
  for (const [index, file] of options.files.entries()) {
    const decoder = new FileDecoder(file);
    detector.beginFile(index);
    const take = (d: ReturnType<FileDecoder['decode']>): void => {
      if (!d) return;
      if ('record' in d) {
        detector.observe(d.record, d.offset);
        records++;
      } else {
        malformed++;
        options.onMalformed?.(file, d.line, d.error);
      }
    };
    await forEachLine(
      file,
      (line, no, offset) => {
        lines++;
        take(decoder.decode(line, no, offset));
        if (progress && lines % PROGRESS_EVERY_LINES === 0) progress({ phase: 'read', done: before + offset, total, lines });
      },
    );
    take(decoder.end());
    before += sizes[index] as number;
  }
  progress?.({ phase: 'read', done: total, total, lines });
  const detection = detector.finish();

  const now = options.now ?? Date.now();
  const expiryDays = options.expiryDays ?? DEFAULT_EXPIRY_DAYS;
  // Write beside the target and rename, so a crash never leaves half a suspects file.
  const partial = `${options.out}.partial`;
  const out = new LineWriter(partial);
  // Suspects are written a batch at a time: first the batch's sampled lines are read back,
  // then each verdict is built, serialised and dropped at once — so memory does not grow
  // with the number of suspects, and verdicts never outlive a pause for I/O.
  for (let start = 0; start < detection.flagged.length; start += SUSPECT_BATCH) {
    const batch = detection.flagged.subarray(start, start + SUSPECT_BATCH);
    const evidence = await collectEvidence(options.files, new Map(Array.from(batch, (i) => [detection.id(i), detection.samples(i)])));
    for (const i of batch) {
      const v = detection.verdict(i);
      const wait = out.write(JSON.stringify(toSuspect(v, evidence.get(v.id), now, expiryDays)) + '\n');
      if (wait) await wait;
    }
    progress?.({ phase: 'write', done: start + batch.length, total: detection.flagged.length, lines });
  }
  await out.close();
  await rename(partial, options.out);
  return { lines, records, malformed, detection, seconds: (Date.now() - started) / 1000 };
}
