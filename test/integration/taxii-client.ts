/**
 * A TAXII 2.1 client for tests, written from the spec and following what the
 * reference client (OASIS cti-taxii-client, taxii2client.v21) does, since no
 * TAXII client is published on npm and PyPI is out of reach here:
 *  - every GET sends `Accept: application/taxii+json;version=2.1` and HTTP
 *    Basic credentials, and fails unless the response's Content-Type holds
 *    every token of the Accept value and starts with application/taxii+json;
 *  - discovery's api_roots (and default) are resolved against the discovery URL;
 *  - an API root must have title, versions and max_content_length; a
 *    collection id, title, can_read, can_write, and its id must be in its URL;
 *  - `asPages` walks objects or manifest with `limit` and `next` while `more`.
 * Deviations from the spec make these throw, so a walk that completes is a
 * conformance check of the server.
 */
export const TAXII_21 = 'application/taxii+json;version=2.1';

export interface TaxiiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export class TaxiiClientError extends Error {
  constructor(message: string, readonly status?: number, readonly body?: unknown) {
    super(message);
  }
}

export class TaxiiConnection {
  constructor(private readonly user: string, private readonly password: string) {}

  private validContentType(contentType: string, accept: string): boolean {
    const acceptTokens = accept.replace(/ /g, '').split(';');
    const tokens = contentType.replace(/ /g, '').split(';');
    return acceptTokens.every((t) => tokens.includes(t)) && tokens[0] === 'application/taxii+json';
  }

  async get<T = Record<string, unknown>>(url: string, params: Record<string, string | number> = {}, accept = TAXII_21): Promise<TaxiiResponse<T>> {
    const u = new URL(url);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
    const res = await fetch(u, { headers: { Accept: accept, Authorization: `Basic ${Buffer.from(`${this.user}:${this.password}`).toString('base64')}`, 'User-Agent': 'cordon-test-taxii2-client' } });
    const text = await res.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) throw new TaxiiClientError(`GET ${u.pathname}${u.search}: HTTP ${res.status}`, res.status, body);
    const contentType = res.headers.get('content-type') ?? '';
    if (!this.validContentType(contentType, accept)) throw new TaxiiClientError(`Unexpected Response. Got Content-Type: '${contentType}' for Accept: '${accept}'`);
    return { status: res.status, headers: res.headers, body: body as T };
  }
}

export interface Collection {
  url: string;
  id: string;
  title: string;
  can_read: boolean;
  can_write: boolean;
  media_types: string[];
}

export interface ApiRoot {
  url: string;
  title: string;
  versions: string[];
  max_content_length: number;
}

const slash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

export async function discover(conn: TaxiiConnection, discoveryUrl: string): Promise<{ title: string; default?: string; apiRoots: string[] }> {
  const url = slash(discoveryUrl);
  const { body } = await conn.get<{ title?: string; default?: string; api_roots?: string[] }>(url);
  if (!body.title) throw new TaxiiClientError(`No 'title' in Server Discovery for request '${url}'`);
  const apiRoots = (body.api_roots ?? []).map((r) => new URL(r, url).toString());
  const defaultRoot = body.default ? new URL(body.default, url).toString() : undefined;
  if (defaultRoot && !apiRoots.includes(defaultRoot)) throw new TaxiiClientError('the default API root is not one of api_roots');
  return { title: body.title, ...(defaultRoot ? { default: defaultRoot } : {}), apiRoots };
}

export async function apiRoot(conn: TaxiiConnection, url: string): Promise<ApiRoot> {
  const { body } = await conn.get<Partial<ApiRoot>>(url);
  if (!body.title) throw new TaxiiClientError(`No 'title' in API Root for request '${url}'`);
  if (!body.versions?.length) throw new TaxiiClientError(`No 'versions' in API Root for request '${url}'`);
  if (body.max_content_length === undefined || body.max_content_length === null) throw new TaxiiClientError(`No 'max_content_length' in API Root for request '${url}'`);
  return { url, title: body.title, versions: body.versions, max_content_length: body.max_content_length };
}

export async function collections(conn: TaxiiConnection, root: ApiRoot): Promise<Collection[]> {
  const url = `${root.url}collections/`;
  const { body } = await conn.get<{ collections?: Omit<Collection, 'url'>[] }>(url);
  return (body.collections ?? []).map((c) => {
    const col = { ...c, url: `${url}${c.id}/` };
    if (!col.id) throw new TaxiiClientError(`No 'id' in Collection for request '${col.url}'`);
    if (!col.title) throw new TaxiiClientError(`No 'title' in Collection for request '${col.url}'`);
    if (col.can_read === undefined || col.can_write === undefined) throw new TaxiiClientError(`No 'can_read'/'can_write' in Collection for request '${col.url}'`);
    if (!col.url.includes(col.id)) throw new TaxiiClientError(`The collection '${col.id}' does not match the url for queries '${col.url}'`);
    return col;
  });
}

export interface Envelope { more?: boolean; next?: string; objects?: Record<string, unknown>[] }

/** taxii2client.v21.as_pages: pages of `endpoint` (objects/ or manifest/) until `more` is false. */
export async function* asPages(conn: TaxiiConnection, collection: Collection, endpoint: 'objects' | 'manifest', perRequest: number, filters: Record<string, string> = {}): AsyncGenerator<TaxiiResponse<Envelope>> {
  if (!collection.can_read) throw new TaxiiClientError(`Collection '${collection.url}' does not allow reading.`);
  const url = `${collection.url}${endpoint}/`;
  let page = await conn.get<Envelope>(url, { ...filters, limit: perRequest });
  yield page;
  let limit = perRequest;
  const got = page.body.objects?.length ?? 0;
  if (page.body.more && got !== perRequest) limit = got; // what the reference client does when a server returns fewer
  while (page.body.more) {
    page = await conn.get<Envelope>(url, { ...filters, limit, next: page.body.next ?? '' });
    yield page;
  }
}
