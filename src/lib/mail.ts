// Mail leaves through a durable job (see jobs.ts): queueMail() renders the message in the
// recipient's language and stores it as a job in the same transaction as the change that
// caused it; the worker sends it with retries. Without SMTP_URL, messages become .eml files.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import ejs from 'ejs';
import nodemailer from 'nodemailer';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Localisation } from './i18n';
import type { Logger } from './log';
import * as time from './time';

export interface MailAttachment {
  filename: string;
  content: string;
  contentType: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
  headers?: Record<string, string>;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  /** Where mail goes, for the start-up log. */
  describe(): string;
}

export const emailViewsDir = path.resolve(__dirname, '../../views/emails');

export function createMailer(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'dataDir'>, logger?: Logger): Mailer {
  if (config.SMTP_URL) {
    const transport = nodemailer.createTransport(config.SMTP_URL);
    return {
      async send(mail) {
        await transport.sendMail({ from: config.MAIL_FROM, ...mail });
      },
      describe: () => `SMTP ${new URL(config.SMTP_URL!).host}`,
    };
  }
  const dir = path.join(config.dataDir, 'mail');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: config.MAIL_FROM, ...mail });
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}.eml`);
      fs.writeFileSync(file, info.message as Buffer);
      logger?.info({ file }, 'mail written to file (no SMTP_URL set)');
    },
    describe: () => `files under ${dir}`,
  };
}

export interface MailContext {
  i18n: Localisation;
  config: Pick<Config, 'BASE_URL'>;
}

/** Renders views/emails/<template>/{subject,text,html}.ejs in `locale`. */
export async function renderMail(
  ctx: MailContext,
  template: string,
  locale: string,
  data: Record<string, unknown>,
): Promise<Pick<OutgoingMail, 'subject' | 'text' | 'html'>> {
  const locals = { ...data, t: ctx.i18n.t(locale), locale, baseUrl: ctx.config.BASE_URL, time };
  const dir = path.join(emailViewsDir, template);
  const render = (file: string) =>
    ejs.renderFile(path.join(dir, file), locals, { cache: true, root: emailViewsDir }) as Promise<string>;
  const [subject, text, html] = await Promise.all([render('subject.ejs'), render('text.ejs'), render('html.ejs')]);
  return { subject: subject.trim().replace(/\s+/g, ' '), text, html };
}

/** Stores an outgoing message as a job; it is sent after `db`'s transaction commits. */
export async function queueMail(
  db: Knex | Knex.Transaction,
  mail: OutgoingMail,
  options: { runAt?: Date; jobKey?: string } = {},
): Promise<void> {
  await db.raw('select graphile_worker.add_job(?, ?::json, run_at => ?, max_attempts => ?, job_key => ?)', [
    'send_mail',
    JSON.stringify(mail),
    options.runAt ?? null,
    25, // about a day and a half of retries with graphile-worker's exponential backoff
    options.jobKey ?? null,
  ]);
}

/** Renders and queues in one step. */
export async function sendTemplate(
  db: Knex | Knex.Transaction,
  ctx: MailContext,
  message: { to: string; template: string; locale: string; data: Record<string, unknown>; attachments?: MailAttachment[] },
): Promise<void> {
  const rendered = await renderMail(ctx, message.template, message.locale, message.data);
  await queueMail(db, { to: message.to, ...rendered, attachments: message.attachments });
}
