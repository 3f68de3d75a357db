// Filters a queue URL may add to its view: /queue/open?requester=carol@x
// or ?tag=billing. Both go to GET /api/v1/tickets as they are.
export const URL_FILTERS = [
  { param: "requester", label: "Requester" },
  { param: "tag", label: "Tag" },
] as const;

export type UrlFilter = (typeof URL_FILTERS)[number]["param"];

/** urlFilters reads the filters set in the URL (blank ones are none). */
export function urlFilters(search: URLSearchParams): Partial<Record<UrlFilter, string>> {
  const out: Partial<Record<UrlFilter, string>> = {};
  for (const { param } of URL_FILTERS) {
    const v = search.get(param)?.trim();
    if (v) out[param] = v;
  }
  return out;
}

/** filterLink is a queue URL with one more filter, keeping the others and the search. */
export function filterLink(path: string, search: URLSearchParams, param: UrlFilter, value: string): string {
  const next = new URLSearchParams(search);
  next.set(param, value);
  return `${path}?${next}`;
}

/** withoutFilter is the same URL search without one filter. */
export function withoutFilter(search: URLSearchParams, param: UrlFilter): URLSearchParams {
  const next = new URLSearchParams(search);
  next.delete(param);
  return next;
}
