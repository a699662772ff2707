import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '../../errors.js';
import type { HttpRoute } from '../../federation/node/node-part.js';
import type { Logger } from '../../log.js';
import { acceptsTaxii21 } from './accept.js';
import type { TaxiiCatalog } from './catalog.js';
import { API_ROOT, FEDERATION_COLLECTION_ID, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE } from './constants.js';
import { encodeCursor } from './cursor.js';
import type { ServedVersion } from './object-store.js';
import { parseTaxiiQuery, type Endpoint } from './query.js';
import { apiRoot, collection, discovery } from './resources.js';
import { notFound, TaxiiError } from './taxii-error.js';
import { formatTimestampUs } from './timestamps.js';
import { credentialOf, type TaxiiUsers } from './users.js';

/**
 * The regulator's read-only TAXII 2.1 server (spec §4–5), as an HTTP route of
 * the node. Every request: authenticate (401), resolve the resource (404),
 * refuse anything but GET/HEAD (405: the regulator cannot write through
 * TAXII), negotiate the media type (406), check the query (400), answer.
 */
export interface TaxiiServerDeps {
  catalog: TaxiiCatalog;
  users: TaxiiUsers;
  log: Logger;
  /** The consortium's name, for titles. */
  consortium: () => string;
}

type Resource =
  | { kind: 'discovery' | 'api-root' | 'collections' | 'collection' }
  | { kind: Endpoint; objectId?: string };

const READ_METHODS = ['GET', 'HEAD'];
const AUTHENTICATE = ['Basic realm="cordon-taxii", charset="UTF-8"', 'Bearer realm="cordon-taxii"'];

/** The resource a path names under /taxii2/, or a 404. */
function resolve(segments: string[]): Resource {
  const [root, section, id, sub, objectId, tail, ...rest] = segments;
  if (root === undefined) return { kind: 'discovery' };
  if (root !== API_ROOT) throw notFound(`no API root '${root}' (this server has /taxii2/${API_ROOT}/)`);
  if (section === undefined) return { kind: 'api-root' };
  if (section === 'status') throw notFound('no status resources: this server accepts no writes, so there is nothing to report on');
  if (section !== 'collections') throw notFound(`no resource '${section}' under /taxii2/${API_ROOT}/`);
  if (id === undefined) return { kind: 'collections' };
  if (id !== FEDERATION_COLLECTION_ID) throw notFound(`no collection '${id}'`);
  if (sub === undefined) return { kind: 'collection' };
  if (sub === 'manifest' && objectId === undefined) return { kind: 'manifest' };
  if (sub !== 'objects') throw notFound(`no resource '${sub}' in collection ${id}`);
  if (objectId === undefined) return { kind: 'objects' };
  if (tail === undefined) return { kind: 'object', objectId };
  if (tail === 'versions' && rest.length === 0) return { kind: 'versions', objectId };
  throw notFound(`no resource '${segments.slice(5).join('/')}' under object ${objectId}`);
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': TAXII_MEDIA_TYPE, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function pageHeaders(rows: ServedVersion[]): Record<string, string> {
  if (rows.length === 0) return {};
  return { 'X-TAXII-Date-Added-First': formatTimestampUs(rows[0]!.dateAddedUs), 'X-TAXII-Date-Added-Last': formatTimestampUs(rows[rows.length - 1]!.dateAddedUs) };
}

function nextOf(rows: ServedVersion[], more: boolean): string | undefined {
  const last = rows[rows.length - 1];
  return more && last ? encodeCursor({ dateAddedUs: last.dateAddedUs, objectId: last.objectId, version: last.version }) : undefined;
}

/** A page as JSON, splicing the stored object text in as is. */
function envelope(key: 'objects' | 'versions', items: string[], more: boolean, next: string | undefined): string {
  const head = `{"more":${more}${next ? `,"next":${JSON.stringify(next)}` : ''}`;
  return items.length === 0 ? `${head}}` : `${head},${JSON.stringify(key)}:[${items.join(',')}]}`;
}

async function answer(deps: TaxiiServerDeps, req: IncomingMessage, res: ServerResponse, url: URL, resource: Resource): Promise<void> {
  const json = (body: object) => send(req, res, 200, JSON.stringify(body));
  switch (resource.kind) {
    case 'discovery':
      return json(discovery(deps.consortium()));
    case 'api-root':
      return json(apiRoot(deps.consortium()));
    case 'collections':
      return json({ collections: [collection()] });
    case 'collection':
      return json(collection());
  }
  const query = parseTaxiiQuery(url.searchParams, resource.kind);
  await deps.catalog.fresh();
  const objectId = 'objectId' in resource ? resource.objectId : undefined;
  if (objectId !== undefined && !(await deps.catalog.has(objectId))) throw notFound(`no object '${objectId.slice(0, 120)}' in collection ${FEDERATION_COLLECTION_ID}`);
  if (resource.kind === 'versions') query.versions = { all: true, first: false, last: false, exact: [] };
  const { rows, more } = await deps.catalog.query(query, objectId);
  const next = nextOf(rows, more);
  const headers = pageHeaders(rows);
  switch (resource.kind) {
    case 'objects':
    case 'object':
      return send(req, res, 200, envelope('objects', rows.map((r) => r.object), more, next), headers);
    case 'manifest':
      return send(req, res, 200, envelope('objects', rows.map((r) => JSON.stringify({
        id: r.objectId, date_added: formatTimestampUs(r.dateAddedUs), version: r.version, media_type: STIX_MEDIA_TYPE,
      })), more, next), headers);
    case 'versions':
      return send(req, res, 200, envelope('versions', rows.map((r) => JSON.stringify(r.version)), more, next), headers);
  }
}

export function taxiiRoute(deps: TaxiiServerDeps): HttpRoute {
  return async (req, res, url) => {
    if (url.pathname !== '/taxii2' && !url.pathname.startsWith('/taxii2/')) return false;
    try {
      const user = await (async () => {
        const credential = credentialOf(req.headers.authorization);
        return credential ? deps.users.authenticate(credential.token, credential.name) : undefined;
      })();
      if (!user) throw new TaxiiError(401, 'Unauthorized', 'this TAXII server needs credentials: HTTP Basic (user name and token) or a Bearer token issued with cordon taxii add-user', { 'www-authenticate': AUTHENTICATE });
      const segments = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
      const resource = resolve(segments);
      if (!READ_METHODS.includes(req.method ?? '')) {
        throw new TaxiiError(405, 'Method Not Allowed', `${req.method} is not allowed: this TAXII server is read-only (the regulator cannot write anything into the federation)`, { allow: READ_METHODS.join(', ') });
      }
      if (!acceptsTaxii21(req.headers.accept)) {
        throw new TaxiiError(406, 'Not Acceptable', `Accept '${String(req.headers.accept).slice(0, 120)}' does not include ${TAXII_MEDIA_TYPE}, the only media type this server produces`);
      }
      await answer(deps, req, res, url, resource);
    } catch (err) {
      if (err instanceof TaxiiError) {
        send(req, res, err.status, JSON.stringify(err.body()), err.headers);
      } else if (err instanceof URIError) {
        send(req, res, 400, JSON.stringify(new TaxiiError(400, 'Bad Request', `malformed percent-encoding in ${url.pathname.slice(0, 120)}`).body()));
      } else {
        deps.log.error('taxii: request failed', { path: url.pathname, error: errorMessage(err) });
        send(req, res, 500, JSON.stringify(new TaxiiError(500, 'Internal Server Error', 'internal error (see the node log)').body()));
      }
    }
    return true;
  };
}
