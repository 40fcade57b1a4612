import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { formatWebhookSecret, parseWebhookSecret, signWebhook, WebhookSecretError } from './signature.js';

// The test vector published with the Standard Webhooks specification.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signatures', () => {
  it("reproduces the specification's test vector", () => {
    const key = parseWebhookSecret(VECTOR.secret);
    expect(signWebhook([key], VECTOR)).toBe(VECTOR.signature);
  });

  it('signs with every key, in order, space-separated, and the reference library accepts each', () => {
    const current = Buffer.alloc(32, 1);
    const previous = Buffer.alloc(32, 2);
    const content = { id: 'msg_1', timestamp: Math.floor(Date.now() / 1000), body: '{"type":"email.opened"}' };
    const header = signWebhook([current, previous], content);
    expect(header.split(' ')).toHaveLength(2);
    const headers = { 'webhook-id': content.id, 'webhook-timestamp': String(content.timestamp), 'webhook-signature': header };
    for (const key of [current, previous]) {
      expect(new Webhook(formatWebhookSecret(key)).verify(content.body, headers)).toEqual({ type: 'email.opened' });
    }
    expect(() => new Webhook(formatWebhookSecret(Buffer.alloc(32, 3))).verify(content.body, headers)).toThrow();
  });

  it('agrees with the reference library for any body, id and time (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 24, maxLength: 64 }),
        fc.stringMatching(/^msg_[A-Za-z0-9_-]{1,40}$/),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.string({ unit: 'grapheme' }),
        (key, id, timestamp, body) => {
          const reference = new Webhook(formatWebhookSecret(key)).sign(id, new Date(timestamp * 1000), body);
          expect(signWebhook([key], { id, timestamp, body })).toBe(reference);
        },
      ),
    );
  });

  it('round-trips secrets and refuses short, long or garbled ones', () => {
    const key = Buffer.alloc(24, 9);
    expect(parseWebhookSecret(formatWebhookSecret(key))).toEqual(key);
    expect(parseWebhookSecret(formatWebhookSecret(key).slice('whsec_'.length))).toEqual(key);
    for (const bad of ['whsec_', 'whsec_c2hvcnQ=', `whsec_${Buffer.alloc(65).toString('base64')}`, 'whsec_not base64!']) {
      expect(() => parseWebhookSecret(bad), bad).toThrow(WebhookSecretError);
    }
  });

  it('refuses an id with a dot, which would make the signed content ambiguous', () => {
    expect(() => signWebhook([Buffer.alloc(32)], { id: 'msg.1', timestamp: 1, body: '' })).toThrow(WebhookSecretError);
  });
});
