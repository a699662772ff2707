import { readFile } from 'node:fs/promises';
import { CordonError, fileProblem } from '../../errors.js';
import { checkIndicator, type IndicatorToken } from '../views/indicator-token.js';

/**
 * The `cordon report file --indicators FILE` format: the tokens a report
 * points at, one JSON object per line (or one JSON array of them), in the
 * shape `cordon publish` uses for tokens plus the epoch:
 *   {"kind":"email","value":"<64 hex>","epoch":3}
 * Tokens only: a raw identifier has no place here and fails the 64-hex check.
 */
export async function readIndicatorsFile(path: string): Promise<IndicatorToken[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CordonError('INVALID_INPUT', `indicators file ${path}: ${fileProblem(err)}`);
  }
  return parseIndicators(text, path);
}

export function parseIndicators(text: string, where: string): IndicatorToken[] {
  const items: { value: unknown; line: number }[] = [];
  if (text.trimStart().startsWith('[')) {
    let array: unknown;
    try {
      array = JSON.parse(text);
    } catch (err) {
      throw new CordonError('INVALID_INPUT', `${where}: not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(array)) throw new CordonError('INVALID_INPUT', `${where}: must be a JSON array or JSON lines`);
    array.forEach((value, i) => items.push({ value, line: i + 1 }));
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        items.push({ value: JSON.parse(line), line: i + 1 });
      } catch {
        throw new CordonError('INVALID_INPUT', `${where}:${i + 1}: not valid JSON`);
      }
    });
  }
  if (items.length === 0) throw new CordonError('INVALID_INPUT', `${where}: no indicators`);
  return items.map(({ value, line }) => {
    const v = value as { kind?: unknown; value?: unknown; epoch?: unknown } | null;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new CordonError('INVALID_INPUT', `${where}:${line}: must be an object like {"kind":"email","value":"<64 hex>","epoch":1}`);
    const extra = Object.keys(v).filter((k) => !['kind', 'value', 'epoch'].includes(k));
    if (extra.length > 0) throw new CordonError('INVALID_INPUT', `${where}:${line}: unknown field '${extra[0]}' (expected kind, value, epoch)`);
    return checkIndicator({ kind: v.kind, token_hex: v.value, epoch: v.epoch } as IndicatorToken, `${where}:${line}`, 'value');
  });
}
