/**
 * A TAXII error answer (spec §3.6.1, error message resource): the HTTP
 * status and the body the client sees. Descriptions name what was wrong and
 * where, like every Cordon error.
 */
export class TaxiiError extends Error {
  constructor(readonly status: number, readonly title: string, readonly description: string, readonly headers: Record<string, string | string[]> = {}) {
    super(`${status} ${title}: ${description}`);
    this.name = 'TaxiiError';
  }

  body(): { title: string; description: string; http_status: string } {
    return { title: this.title, description: this.description, http_status: String(this.status) };
  }
}

export const badRequest = (description: string) => new TaxiiError(400, 'Bad Request', description);
export const notFound = (description: string) => new TaxiiError(404, 'Not Found', description);
