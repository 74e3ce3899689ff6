// A real SMTP server on a free local port; tests read what arrives.
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, ParsedMail } from 'mailparser';

export interface TestSmtp {
  url: string;
  port: number;
  messages: ParsedMail[];
  /** Waits until a message matching `match` has arrived (default: any). */
  waitFor(match?: (m: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  /** Messages sent to `address`. */
  to(address: string): ParsedMail[];
  clear(): void;
  /** From now on, leaves messages unanswered after DATA (the sender waits), until release(). */
  hold(): void;
  /** Messages held and still waiting for their answer (a dropped connection takes its message away). */
  held(): number;
  /** Accepts the held messages and stops holding. */
  release(): void;
  stop(): Promise<void>;
}

export function recipients(m: ParsedMail): string[] {
  const to = Array.isArray(m.to) ? m.to : m.to ? [m.to] : [];
  return to.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

export async function startSmtp(port = 0): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const waiters: (() => void)[] = [];
  let holding = false;
  let heldMessages: { session: string; parsed: ParsedMail; accept: () => void }[] = [];
  const deliver = (parsed: ParsedMail, accept: () => void) => {
    messages.push(parsed);
    waiters.splice(0).forEach((w) => w());
    accept();
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          if (holding) heldMessages.push({ session: session.id, parsed, accept: () => callback() });
          else deliver(parsed, () => callback());
        })
        .catch(callback);
    },
    // A message is only delivered once the server has answered its DATA: a sender that died
    // before (kill -9) did not deliver it.
    onClose(session) {
      heldMessages = heldMessages.filter((m) => m.session !== session.id);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${actualPort}`,
    port: actualPort,
    messages,
    to: (address) => messages.filter((m) => recipients(m).includes(address.toLowerCase())),
    clear: () => messages.splice(0),
    hold: () => {
      holding = true;
    },
    held: () => heldMessages.length,
    release: () => {
      holding = false;
      heldMessages.splice(0).forEach((m) => deliver(m.parsed, m.accept));
    },
    async waitFor(match = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching e-mail within ${timeoutMs} ms (got ${messages.length})`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
