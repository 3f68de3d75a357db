import { ApiError } from "../api/fetcher";

/**
 * parseDomains reads the domains input: commas, semicolons or spaces
 * separate; a leading "@" is dropped (people paste "@acme.com"); case and
 * repeats do not matter. The server checks each domain, so a typo comes back
 * as its 422 rather than being silently dropped here.
 */
export function parseDomains(input: string): string[] {
  const out: string[] = [];
  for (const raw of input.split(/[\s,;]+/)) {
    const d = raw.replace(/^@+/, "").toLowerCase();
    if (d && !out.includes(d)) out.push(d);
  }
  return out;
}

/** formatDomains is the input's text for a list, so editing starts from what is saved. */
export function formatDomains(domains: readonly string[]): string {
  return domains.join(", ");
}

/**
 * fieldError is a 422's message when it names field, without the
 * "field: " prefix the server puts first (the message shows next to the field).
 */
export function fieldError(err: unknown, field: string): string | undefined {
  if (!(err instanceof ApiError) || err.status !== 422 || err.field !== field) return undefined;
  const prefix = field + ": ";
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}
