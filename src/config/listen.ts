/** The highest TCP port; 0 asks the system for any free one. */
const MAX_PORT = 65_535;

/** host:port, the host a name, an IPv4 address or a bracketed IPv6 address. */
const LISTEN = /^(?:[A-Za-z0-9.-]+|\[[0-9a-fA-F:.]+\]):(\d{1,5})$/;

/**
 * Why `value` is not a listen address (`host:port`, port 0 to 65535), in
 * words naming the fix; undefined when it is one. Checked where an address
 * is written (cordon init --listen) and where it is read (cordon.json and its
 * environment overrides), so a bad one is refused before anything starts.
 */
export function listenProblem(value: string): string | undefined {
  const match = LISTEN.exec(value);
  if (match) {
    const port = Number(match[1]);
    return port > MAX_PORT ? `port ${port} is out of range (0 to ${MAX_PORT}; 0 picks a free one)` : undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'must be host:port without a scheme, e.g. 127.0.0.1:7400';
  if (/^\d+$/.test(value)) return `must be host:port, not a port alone, e.g. 127.0.0.1:${value}`;
  if (/^[A-Za-z0-9.-]+$/.test(value)) return `must be host:port, not a host alone, e.g. ${value}:7400`;
  return 'must be host:port, e.g. 127.0.0.1:7400 or [::1]:7400';
}
