/**
 * Typed errors with stable codes. Every error that reaches a user names what
 * was wrong and where; `code` lets callers branch without parsing messages.
 */
export type CordonErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_CONFIG'
  | 'INVALID_MANIFEST'
  | 'INVALID_SIGNATURE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'OUT_OF_SEQUENCE'
  | 'EQUIVOCATION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class CordonError extends Error {
  readonly code: CordonErrorCode;

  constructor(code: CordonErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CordonError';
    this.code = code;
  }
}

export const invalidInput = (where: string, what: string): CordonError =>
  new CordonError('INVALID_INPUT', `${where}: ${what}`);

/** Why reading a file failed, in words: 'does not exist' rather than an errno dump. */
export function fileProblem(err: unknown): string {
  return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : errorMessage(err);
}

/** The first problem of a schema validation (zod), as `path: message`. */
export function firstIssue(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, root = '(root)'): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issue.path.map(String).join('.') || root}: ${issue.message}`;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
