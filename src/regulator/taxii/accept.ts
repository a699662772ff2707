/**
 * Accept header negotiation (RFC 9110 §12.5.1) for a server that produces
 * exactly one media type, application/taxii+json;version=2.1. Acceptable when
 * the header is absent, or some media range with q > 0 matches it: any
 * (star/star), application/star, application/taxii+json with no version (meaning the latest,
 * 2.1) or version=2.1. Anything else (application/json, version=2.0, a
 * STIX bundle type) is answered 406.
 */
export function acceptsTaxii21(header: string | undefined): boolean {
  if (header === undefined || header.trim() === '') return true;
  return header.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((s) => s.trim());
    const p = new Map(params.map((kv) => {
      const eq = kv.indexOf('=');
      return [kv.slice(0, eq).trim().toLowerCase(), kv.slice(eq + 1).trim().replace(/^"|"$/g, '')] as const;
    }));
    const q = p.has('q') ? Number(p.get('q')) : 1;
    if (!(q > 0)) return false;
    const t = type.toLowerCase();
    if (t === '*/*' || t === 'application/*') return true;
    return t === 'application/taxii+json' && (!p.has('version') || p.get('version') === '2.1');
  });
}
