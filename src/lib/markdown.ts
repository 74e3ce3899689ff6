// Markdown written by organisers (campaign and picket descriptions), rendered for public pages.
// Raw HTML is switched off in the parser and the output is sanitised again, so a description can
// never carry a script, a style or an image that reports a visitor to a third-party server.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { LRUCache } from 'lru-cache';

const parser = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });

const allowed: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'strong', 'em', 'b', 'i', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre',
    'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'a', 's', 'del',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  // Links leave the site without telling the other side where the visitor came from.
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
    h1: 'h2', // the page owns its <h1>
  },
};

// Rendering and sanitising take about half a millisecond per text, and the same descriptions are
// shown over and over: results are kept for the most recently used texts (a pure function, so a
// cache shared by every app in the process is safe).
const CACHE_ENTRIES = 500;
const CACHE_MAX_TEXT = 20_000;
const cache = new LRUCache<string, string>({ max: CACHE_ENTRIES });

/** Organiser Markdown to safe HTML (output meant for `<%- %>`). */
export function renderMarkdown(text: string): string {
  if (!text) return '';
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const html = sanitizeHtml(parser.render(text), allowed);
  if (text.length <= CACHE_MAX_TEXT) cache.set(text, html);
  return html;
}
