import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fault server answers every request. */
export type Fault =
  | { readonly kind: 'stall' }
  | { readonly kind: 'stall-body' }
  | { readonly kind: 'error'; readonly status: number; readonly code?: string };

/** An S3 endpoint on 127.0.0.1 that misbehaves: never answers, stalls a body, or answers an S3 error. */
export interface FaultServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Environment for `createS3Client` / the stages (static keys, region, endpoint). */
  readonly env: Record<string, string>;
  /** Requests received so far. */
  readonly requests: () => number;
  readonly stop: () => Promise<void>;
}

function answer(fault: Fault, res: ServerResponse): void {
  if (fault.kind === 'stall') return;
  if (fault.kind === 'stall-body') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1000' });
    res.write('partial');
    return;
  }
  const body =
    fault.code === undefined
      ? ''
      : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>${fault.code} injected</Message></Error>`;
  res.writeHead(fault.status, { 'content-type': 'application/xml' });
  res.end(body);
}

/** Starts a fault server on 127.0.0.1 (an ephemeral port); stop it in afterAll. */
export async function startFaultServer(fault: Fault): Promise<FaultServer> {
  let count = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    count += 1;
    req.resume();
    answer(fault, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    requests: () => count,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
