import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../lib/notify/describe.js';
import { slackEscape, slackPayload } from '../../../lib/notify/slack.js';
import type { RunSummary } from '../../../lib/notify/summary.js';
import { RUN_ENDED_EVENT, webhookPayload } from '../../../lib/notify/webhook.js';

const cloudRun: RunSummary = {
  backend: 'cloud',
  expId: 'examples/seir-ma',
  runId: '20260110-120000',
  state: 'succeeded',
  referenceDate: '2026-01-10',
  numTasks: 24,
  durationMs: 754_000,
  links: {
    outputs: {
      path: 's3://data-bucket/examples/seir-ma/runs/20260110-120000/outputs/',
      console: 'https://s3.console.aws.amazon.com/s3/buckets/data-bucket?region=us-east-1&prefix=x',
    },
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:examples-seir-ma--2026',
  },
};

const blockTexts = (payload: ReturnType<typeof slackPayload>): string =>
  payload.blocks.map((b) => (b as { text: { text: string } }).text.text).join('\n');

describe('webhookPayload', () => {
  it('wraps the summary unchanged under a versioned event name', () => {
    expect(webhookPayload(cloudRun)).toEqual({
      event: RUN_ENDED_EVENT,
      version: 1,
      run: cloudRun,
    });
    expect(RUN_ENDED_EVENT).toBe('epycloud.run.ended');
    expect(JSON.parse(JSON.stringify(webhookPayload(cloudRun)))).toEqual(webhookPayload(cloudRun));
  });
});

describe('slackPayload', () => {
  it('has a plain text line and sections with the facts and the links', () => {
    const payload = slackPayload(cloudRun);
    expect(payload.text).toBe('epycloud run examples/seir-ma / 20260110-120000: succeeded');
    expect(payload.blocks.every((b) => b.type === 'section')).toBe(true);
    const text = blockTexts(payload);
    expect(text).toContain(':white_check_mark:');
    expect(text).toContain('*reference date:* 2026-01-10');
    expect(text).toContain('*tasks:* 24');
    expect(text).toContain('*duration:* 12 min 34 s');
    expect(text).toContain(`<${cloudRun.links.outputs!.console}|open in the S3 console>`);
    expect(text).toContain('`s3://data-bucket/examples/seir-ma/runs/20260110-120000/outputs/`');
    expect(text).toContain(`*execution:* ${cloudRun.links.executionArn}`);
  });

  it('shows a partial run with its failed tasks, and a local run with its paths', () => {
    const local: RunSummary = {
      backend: 'local',
      expId: 'examples/flu',
      runId: 'r1',
      state: 'partial',
      numTasks: 10,
      failedTasks: { count: 2, indexes: [3, 7] },
      failure: 'task(s) 3, 7 failed',
      durationMs: 850,
      links: { outputs: { path: '/data/out' }, report: { path: '/data/out/report.html' } },
    };
    const text = blockTexts(slackPayload(local));
    expect(text).toContain(':warning:');
    expect(text).toContain('*failed tasks:* 2 (3, 7)');
    expect(text).toContain('*failure:* task(s) 3, 7 failed');
    expect(text).toContain('*report:* `/data/out/report.html`');
    expect(text).not.toContain('S3 console');
    expect(text).not.toContain('*execution:*');
  });

  it('escapes what a run carries, so no text becomes a link or a mention', () => {
    const hostile = { ...cloudRun, state: 'failed' as const, failure: '<!channel> & <http://x|y>' };
    const text = blockTexts(slackPayload(hostile));
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;http://x|y&gt;');
    expect(text).not.toContain('<!channel>');
    expect(slackEscape('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it("keeps a section within Slack's 3,000 characters", () => {
    const long = { ...cloudRun, state: 'failed' as const, failure: 'x'.repeat(5000) };
    for (const block of slackPayload(long).blocks)
      expect((block as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [42_000, '42 s'],
    [754_000, '12 min 34 s'],
    [7_500_000, '2 h 5 min'],
  ])('%d ms reads %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
