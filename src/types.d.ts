import type { Translate } from './lib/i18n';
import type { UserRow } from './db/tables';
import type { Actor, HostActor } from './policies';

declare global {
  namespace Express {
    interface Request {
      user?: UserRow;
      /** Whoever is signed in: an account (the same as `user`) or a host signed in by link. */
      actor?: Actor;
      /** A host signed in by link (issue 17). */
      hostActor?: HostActor;
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
    /** A host signed in by an e-mailed link (issue 17). */
    hostId: number;
  }
}

export {};
