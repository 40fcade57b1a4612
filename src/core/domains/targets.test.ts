import { describe, expect, it } from 'vitest';
import { targetWarnings } from './targets.js';

const good = { trackingCnameTarget: 'track.waymark.example', spfInclude: 'spf.waymark.example', mxHost: 'mx.waymark.example', caDomain: 'letsencrypt.org' };

describe('targetWarnings', () => {
  it('says nothing for public host names', () => {
    expect(targetWarnings(good)).toEqual([]);
  });

  it.each(['localhost', 'api.localhost', '127.0.0.1', '203.0.113.9', '::1', '[2001:db8::1]', 'intranet'])('flags %s on every record that would name it', (host) => {
    const warnings = targetWarnings({ ...good, trackingCnameTarget: host, mxHost: host, spfInclude: host });
    expect(warnings).toHaveLength(3);
    for (const w of warnings) {
      expect(w.code).toBe('unreachable_target');
      expect(w.message).toContain(`"${host}"`);
      expect(w.message).toContain('WAYMARK_TRACKING_URL');
    }
  });

  it('names the setting of the one record that is wrong', () => {
    const [w, ...rest] = targetWarnings({ ...good, mxHost: '192.0.2.25' });
    expect(rest).toEqual([]);
    expect(w?.message).toMatch(/return-path MX.*WAYMARK_MX_HOST/);
  });
});
