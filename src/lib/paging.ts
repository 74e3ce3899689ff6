// Lists that grow with people's data are shown a page at a time, with links to the rest.
// (A dozen lines: no package fits EJS pages without JavaScript better than this.)

export interface Paging {
  page: number;
  perPage: number;
  total: number;
  pages: number;
  offset: number;
}

/** "3" gives 3; anything else (missing, 0, "abc", "1e9") gives 1. */
export function pageParam(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : 1;
  return n >= 1 ? n : 1;
}

/** The page `requested` of `total` items, `perPage` at a time; a page past the end shows the last one. */
export function paging(requested: number, total: number, perPage: number): Paging {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(Math.max(1, requested), pages);
  return { page, perPage, total, pages, offset: (page - 1) * perPage };
}

/**
 * The address of page `n` of the list named `param`, keeping the other query parameters
 * (so two lists on one page page separately).
 */
export function pageHref(path: string, query: Record<string, unknown>, param: string, n: number, anchor = ''): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (key !== param && typeof value === 'string') params.set(key, value);
  if (n > 1) params.set(param, String(n));
  const search = params.toString();
  return `${path}${search ? `?${search}` : ''}${anchor ? `#${anchor}` : ''}`;
}

export interface PagerLinks {
  page: number;
  pages: number;
  total: number;
  prev: string | null;
  next: string | null;
}

/** What views/partials/pager.ejs shows for `p`, with links built by pageHref. */
export function pagerLinks(p: Paging, path: string, query: Record<string, unknown>, param: string, anchor = ''): PagerLinks {
  return {
    page: p.page,
    pages: p.pages,
    total: p.total,
    prev: p.page > 1 ? pageHref(path, query, param, p.page - 1, anchor) : null,
    next: p.page < p.pages ? pageHref(path, query, param, p.page + 1, anchor) : null,
  };
}
