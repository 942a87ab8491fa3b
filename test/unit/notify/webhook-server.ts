import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST a webhook server received. */
export interface ReceivedPost {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

/** How the server answers one request: a status, or no answer at all (a hung webhook). */
export type Answer = number | 'hang';

/** A webhook receiver on 127.0.0.1 (an ephemeral port), answering a scripted sequence of statuses. */
export interface WebhookServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** A webhook URL on this server; its path is the secret part. */
  readonly url: (path: string) => string;
  /** Requests received (answered or not), in order. */
  readonly posts: ReceivedPost[];
  /** The answers to give next, in order; once used up, 200. */
  readonly script: (...answers: Answer[]) => void;
  readonly reset: () => void;
  readonly stop: () => Promise<void>;
}

/** Starts a webhook server; stop it in afterAll. */
export async function startWebhookServer(): Promise<WebhookServer> {
  const posts: ReceivedPost[] = [];
  let answers: Answer[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      posts.push({
        path: req.url ?? '',
        headers: req.headers,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      });
      const answer = answers.shift() ?? 200;
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end(answer < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    posts,
    script: (...next) => void (answers = next),
    reset: () => {
      posts.length = 0;
      answers = [];
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
