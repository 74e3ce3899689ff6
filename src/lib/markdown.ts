// Markdown written by organisers (campaign and picket descriptions), rendered for public pages.
// Raw HTML is switched off in the parser and the output is sanitised again, so a description can
// never carry a script, a style or an image that reports a visitor to a third-party server.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

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

/** Organiser Markdown to safe HTML (output meant for `<%- %>`). */
export function renderMarkdown(text: string): string {
  if (!text) return '';
  return sanitizeHtml(parser.render(text), allowed);
}
