/**
 * One line of a provider's usage log, as `cordon simulate` writes it and
 * `cordon detect` reads it (JSON lines with these keys, or CSV with this
 * header). Only `ts` and `account` are required; every other field feeds one
 * or more features and is simply absent from them when missing.
 */
export const LOG_COLUMNS = [
  'ts', // request time, ISO 8601 (or epoch milliseconds)
  'provider', // which provider's log this is (several files may be read at once)
  'account', // the provider's account id
  'created', // when the account was created, ISO 8601
  'api_key',
  'email',
  'phone',
  'ip',
  'asn',
  'payment', // payment-method fingerprint
  'device', // device / client fingerprint
  'model',
  'prompt', // prompt text, possibly truncated by the logging pipeline
  'in_tokens',
  'out_tokens',
] as const;

export type LogColumn = (typeof LOG_COLUMNS)[number];

/** A parsed, validated log line. Times are epoch milliseconds. */
export interface LogRecord {
  ts: number;
  account: string;
  provider: string;
  created: number; // NaN when unknown
  api_key: string;
  email: string;
  phone: string;
  ip: string;
  asn: string;
  payment: string;
  device: string;
  model: string;
  prompt: string;
  in_tokens: number;
  out_tokens: number;
}

/** What the simulator writes per line, before serialisation. */
export interface LogLine {
  ts: string;
  provider: string;
  account: string;
  created: string;
  api_key: string;
  email: string;
  phone: string;
  ip: string;
  asn: string;
  payment: string;
  device: string;
  model: string;
  prompt: string;
  in_tokens: number;
  out_tokens: number;
}
