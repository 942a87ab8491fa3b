import { TransientError, ValidationError } from '../errors.js';

/** How hard {@link postWebhook} tries. */
export interface PostOptions {
  /** Time allowed for one attempt, from connecting to the response's status. */
  readonly timeoutMs: number;
  /** Attempts in all (>= 1): a network error, a timeout, a 429 and a 5xx answer are tried again. */
  readonly attempts: number;
  /** Wait before attempt k+1: k x this (default 250 ms). */
  readonly retryDelayMs?: number;
}

/** Defaults for a run-end notification: 3 attempts of at most 5 s each. */
export const DEFAULT_POST_OPTIONS: PostOptions = { timeoutMs: 5000, attempts: 3 };

/**
 * The part of a webhook URL that may be shown: scheme and host (`https://hooks.slack.com`). The
 * path and query of a webhook URL are its secret, so no message or log ever carries them.
 */
export function webhookOrigin(url: string): string {
  if (!URL.canParse(url)) return '(not a URL)';
  const { protocol, host } = new URL(url);
  return `${protocol}//${host}`;
}

/** The URL, refusing anything but http(s); the error names the scheme and host only. */
function parseWebhookUrl(url: string): URL {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || !['http:', 'https:'].includes(parsed.protocol))
    throw new ValidationError(
      `Webhook URL ${webhookOrigin(url)} is not an http(s) URL: expected https://host/path`,
    );
  return parsed;
}

/** One attempt: the response status, or the reason it has none (a network error's code, a timeout). */
async function attempt(url: URL, body: string, timeoutMs: number): Promise<number | string> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'epycloud' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.status;
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
    // Only the code: undici's messages can carry the address.
    return `network error ${e.cause?.code ?? e.name}`;
  }
}

/**
 * POSTs `payload` as JSON to a webhook with Node's fetch. A network error, a timeout, a 429 or a
 * 5xx answer is tried again, up to `attempts` in all; a 2xx answer resolves. Any other answer, or
 * the last failure, throws (ValidationError for a 4xx, the URL being wrong or revoked;
 * TransientError otherwise) naming the URL's scheme and host only, never its path.
 */
export async function postWebhook(
  url: string,
  payload: unknown,
  options: PostOptions = DEFAULT_POST_OPTIONS,
): Promise<void> {
  const target = parseWebhookUrl(url);
  const where = webhookOrigin(url);
  const body = JSON.stringify(payload);
  const attempts = Math.max(1, Math.floor(options.attempts));
  let last = '';
  for (let k = 1; k <= attempts; k++) {
    if (k > 1) await new Promise((r) => setTimeout(r, (k - 1) * (options.retryDelayMs ?? 250)));
    const outcome = await attempt(target, body, options.timeoutMs);
    if (typeof outcome === 'number' && outcome >= 200 && outcome < 300) return;
    if (typeof outcome === 'number' && outcome < 500 && outcome !== 429)
      throw new ValidationError(
        `Webhook ${where} refused the notification: HTTP ${outcome} (check the webhook URL; a revoked one answers 4xx)`,
      );
    last = typeof outcome === 'number' ? `HTTP ${outcome}` : outcome;
  }
  throw new TransientError(`Webhook ${where} failed after ${attempts} attempt(s): ${last}`);
}
