import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_DIR } from '../../../lib/host/paths.js';
import { RUNTIMES } from '../../../lib/local/types.js';
import {
  BUILT_IN_DEFAULTS,
  envNameOf,
  fromText,
  maskedValue,
  SETTING_RUNTIMES,
} from '../../../lib/settings/schema.js';

describe('the settings schema', () => {
  it("keeps lib/local's runtimes and the commands' defaults (twins lib/settings may not import)", () => {
    expect(SETTING_RUNTIMES).toEqual(RUNTIMES);
    expect(BUILT_IN_DEFAULTS).toMatchObject({ local_dir: DEFAULT_LOCAL_DIR, runtime: 'docker' });
  });

  it('masks secrets, keeping the origin of a URL only', () => {
    expect(maskedValue('notify_slack_webhook', 'https://hooks.slack.com/services/T0/B0/abc')).toBe(
      'https://hooks.slack.com/****',
    );
    expect(maskedValue('notify_webhook', 'not a url')).toBe('/****');
    expect(maskedValue('region', 'us-east-1')).toBe('us-east-1');
  });

  it('reads typed text as its key takes it, and names env vars after keys', () => {
    expect(fromText('parallelism', '4')).toBe(4);
    expect(fromText('parallelism', '0')).toBe('0');
    expect(fromText('stack_prefix', '123')).toBe('123');
    expect(envNameOf('local_dir')).toBe('EPYCLOUD_LOCAL_DIR');
  });
});
