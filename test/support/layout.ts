// Layout checks a person would notice, measured in the browser instead of eyed on a screenshot.
import type { Page } from 'playwright-core';

/**
 * Words of table cells under `selector` that are split over two lines ("Decemb|er"; "first-|aid" is fine): each word's
 * text range gives one box per line it sits on. Long addresses (URLs, e-mails) may break.
 */
export function brokenWords(page: Page, selector = 'table'): Promise<string[]> {
  return page.evaluate((sel) => {
    const broken: string[] = [];
    for (const cell of document.querySelectorAll(`${sel} td, ${sel} th`)) {
      if (cell.getBoundingClientRect().width < 2) continue; // a header kept for screen readers only
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        // E-mail links and marked long values may break anywhere (app.css), hyphenated parts included.
        if (node.parentElement?.closest('a[href^="mailto:"], .long')) continue;
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/[^\s-]+/g)) { // a break after a hyphen is fine
          if (/[@/]/.test(match[0])) continue;
          const range = document.createRange();
          range.setStart(node, match.index!);
          range.setEnd(node, match.index! + match[0].length);
          const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (lines.size > 1) broken.push(match[0]);
        }
      }
    }
    return broken;
  }, selector);
}

/** How far the page is wider than the window (0 when nothing sticks out sideways). */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Whether the element's top edge is within the first screen (no scrolling needed to see it start). */
export function onFirstScreen(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel) => {
    const box = document.querySelector(sel)?.getBoundingClientRect();
    return !!box && box.height > 0 && box.top >= 0 && box.top < window.innerHeight - 40;
  }, selector);
}

/**
 * Whether the map `selector` shows Picket's own base map (countries and coasts, no tile server):
 * loaded, and drawn in a box as large as the map, not squeezed to nothing by a page style.
 */
export async function baseMapDrawn(page: Page, selector: string): Promise<boolean> {
  await page.waitForSelector(`${selector}[data-base-map="ready"]`, { state: 'attached', timeout: 20_000 });
  return page.evaluate((sel) => {
    const map = document.querySelector(sel)!.getBoundingClientRect();
    const svg = document.querySelector(`${sel} .leaflet-base-pane svg`)?.getBoundingClientRect();
    return !!svg && svg.width >= map.width && svg.height >= map.height;
  }, selector);
}
