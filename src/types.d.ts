import type { Translate } from './lib/i18n';
import type { UserRow } from './db/tables';

declare global {
  namespace Express {
    interface Request {
      user?: UserRow;
      locale: string;
      t: Translate;
    }
    interface Response {
      /** Renders views/<view>.ejs inside the layout. */
      page(view: string, locals?: Record<string, unknown>): void;
      /** Queues a message for the next page this browser sees. */
      flash(type: 'success' | 'error' | 'info', messageKey: string, params?: Record<string, unknown>): void;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    userId: number;
  }
}

export {};
