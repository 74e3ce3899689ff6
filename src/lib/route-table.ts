// The routes an Express app has registered, read from its router rather than listed by hand: the
// request protection asks it whether a multipart request is addressed to a route that takes files,
// and the security tests walk it to send every state-changing route a forged request.
import type { Application, RequestHandler } from 'express';

/** Marks a handler as the one that parses a route's files (and then checks the request itself). */
export const TAKES_FILES = Symbol('takesFiles');

export function takesFiles<H extends RequestHandler>(handler: H): H {
  return Object.assign(handler, { [TAKES_FILES]: true });
}

type Matcher = (path: string) => false | { path: string };

interface Layer {
  matchers: Matcher[];
  rawPath?: unknown;
  handle: RequestHandler & { stack?: Layer[]; [TAKES_FILES]?: boolean };
  route?: { path: unknown; methods: Record<string, boolean>; stack: Layer[] };
}

export interface RouteEntry {
  /** Upper-case methods: POST, PUT, ... */
  methods: string[];
  /** The path pattern as written ("/events/:id/rsvp"), with the prefixes it was mounted under. */
  paths: string[];
  takesFiles: boolean;
  /** Whether `path` (a full request path) is one of this route's. */
  matches(path: string): boolean;
}

function walk(stack: Layer[], prefixes: { pattern: string; matchers: Matcher[] }[], out: RouteEntry[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const route = layer.route;
      const raw = Array.isArray(route.path) ? route.path.flat(Infinity) : [route.path];
      const outer = prefixes;
      out.push({
        methods: Object.keys(route.methods).filter((m) => m !== '_all').map((m) => m.toUpperCase()),
        paths: raw.map((p) => outer.map((o) => o.pattern).join('') + String(p)),
        takesFiles: route.stack.some((l) => l.handle[TAKES_FILES] === true),
        matches(path) {
          let rest = path;
          for (const prefix of outer) {
            const hit = prefix.matchers.map((m) => m(rest)).find(Boolean);
            if (!hit) return false;
            rest = rest.slice(hit.path.length) || '/';
          }
          return layer.matchers.some((m) => m(rest) !== false);
        },
      });
    } else if (Array.isArray(layer.handle.stack)) {
      const pattern = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      walk(layer.handle.stack, pattern ? [...prefixes, { pattern, matchers: layer.matchers }] : prefixes, out);
    }
  }
}

const tables = new WeakMap<Application, RouteEntry[]>();

/** Every route of `app` (read once, on first use: routes are all registered by then). */
export function routeTable(app: Application): RouteEntry[] {
  let table = tables.get(app);
  if (!table) {
    table = [];
    walk((app as unknown as { router: { stack: Layer[] } }).router.stack, [], table);
    tables.set(app, table);
  }
  return table;
}
