import { facts, headline } from './describe.js';
import type { RunLocation, RunSummary } from './summary.js';

/** A Slack incoming-webhook message: `text` for notifications and old clients, `blocks` to show. */
export interface SlackPayload {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** Slack's mrkdwn reserves `&`, `<` and `>`: escaped so no text can become a link or mention. */
export const slackEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const EMOJI = { succeeded: ':white_check_mark:', failed: ':x:', partial: ':warning:' } as const;

/** Slack caps a section's text at 3,000 characters. */
const SECTION_MAX = 3000;

const section = (text: string) => ({
  type: 'section',
  text: {
    type: 'mrkdwn',
    text: text.length > SECTION_MAX ? `${text.slice(0, SECTION_MAX - 1)}…` : text,
  },
});

/** A location as mrkdwn: the console page as a link when there is one, the path in code. */
function locationLine(label: string, location: RunLocation | undefined): string[] {
  if (location === undefined) return [];
  const path = `\`${slackEscape(location.path)}\``;
  return [
    location.console === undefined
      ? `*${label}:* ${path}`
      : `*${label}:* <${location.console}|open in the S3 console> ${path}`,
  ];
}

/**
 * The Slack incoming-webhook payload of a run's end: a headline, the run's facts, and where to
 * look (outputs folder, report). Every value from the run is escaped.
 */
export function slackPayload(summary: RunSummary): SlackPayload {
  const title = `${EMOJI[summary.state]} ${slackEscape(headline(summary))}`;
  const lines = facts(summary)
    .filter((f) => !['experiment', 'run', 'state'].includes(f.label))
    .map((f) => `*${f.label}:* ${slackEscape(f.value)}`);
  const links = [
    ...locationLine('outputs', summary.links.outputs),
    ...locationLine('report', summary.links.report),
  ];
  return {
    text: slackEscape(headline(summary)),
    blocks: [
      section(`*${title}*`),
      section(lines.join('\n')),
      ...(links.length > 0 ? [section(links.join('\n'))] : []),
    ],
  };
}
