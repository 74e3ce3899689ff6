// Typed HTTP errors. Routes throw them; the one error handler in app.ts turns them into
// an HTML page or, under /api, JSON.

export class HttpError extends Error {
  constructor(
    public readonly status: number,
    /** i18n key of the message shown to the user. */
    public readonly messageKey: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(messageKey);
    this.name = 'HttpError';
  }
}

export class NotFound extends HttpError {
  constructor(messageKey = 'errors.notFound') {
    super(404, messageKey);
  }
}

export class Forbidden extends HttpError {
  constructor(messageKey = 'errors.forbidden') {
    super(403, messageKey);
  }
}

/** Bad input: `fields` maps each field name to the i18n key of its message. */
export class BadRequest extends HttpError {
  constructor(
    public readonly fields: Record<string, string>,
    messageKey = 'errors.badRequest',
  ) {
    super(400, messageKey, { fields });
  }
}

/** The thing changed under the user's feet (someone else acted first): 409 with what to do. */
export class Conflict extends HttpError {
  constructor(messageKey = 'rules.conflict') {
    super(409, messageKey);
  }
}

export class TooManyRequests extends HttpError {
  constructor(messageKey = 'errors.tooManyRequests') {
    super(429, messageKey);
  }
}
