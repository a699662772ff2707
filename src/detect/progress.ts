/**
 * A one-line progress bar for a terminal: redrawn in place with `\r`, at most
 * a few times a second, and cleared at the end. Callers only create one when
 * stderr is a terminal; logs and pipes get no progress noise.
 */
const REDRAW_MS = 200;
const WIDTH = 30;

export class ProgressBar {
  private lastDraw = 0;
  private readonly started = Date.now();
  private drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly totalBytes: number,
    private readonly label: string,
  ) {}

  update(bytes: number, lines: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const share = this.totalBytes > 0 ? Math.min(1, bytes / this.totalBytes) : 0;
    const filled = Math.round(share * WIDTH);
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(lines / seconds) : 0;
    this.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${formatCount(lines)} lines  ${formatCount(rate)}/s `);
    this.drawn = true;
  }

  /** Erases the bar so the next output starts on a clean line. */
  done(): void {
    if (this.drawn) this.write('\r' + ' '.repeat(WIDTH + this.label.length + 48) + '\r');
  }
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return String(n);
}
