import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CordonError, errorMessage } from '../../../errors.js';
import type { MispFeed } from './types.js';

const UUID_JSON = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$/;

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/**
 * Writes a feed into `dir`: every event file first, then hashes.csv, then
 * manifest.json (a MISP instance reading mid-export sees the old manifest
 * and old files, never a manifest naming missing files). Event files of the
 * previous export that the new manifest no longer lists are removed; nothing
 * else in `dir` is touched.
 */
export async function writeMispFeed(dir: string, feed: MispFeed): Promise<{ events: number; attributes: number; removed: number }> {
  try {
    await mkdir(dir, { recursive: true });
    let previous: string[] = [];
    try {
      previous = Object.keys(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as object);
    } catch {
      // No previous export (or not one of ours): nothing to clean up.
    }
    for (const e of feed.events) await writeAtomically(join(dir, `${e.Event.uuid}.json`), JSON.stringify(e, null, 1) + '\n');
    await writeAtomically(join(dir, 'hashes.csv'), feed.hashes.map((h) => h + '\n').join(''));
    await writeAtomically(join(dir, 'manifest.json'), JSON.stringify(feed.manifest, null, 1) + '\n');
    let removed = 0;
    for (const uuid of previous) {
      if (feed.manifest[uuid] || !UUID_JSON.test(`${uuid}.json`)) continue;
      await unlink(join(dir, `${uuid}.json`)).then(() => removed++, () => undefined);
    }
    return { events: feed.events.length, attributes: feed.hashes.length, removed };
  } catch (err) {
    throw new CordonError('UNAVAILABLE', `misp export to ${dir}: ${errorMessage(err)}`, { cause: err });
  }
}
