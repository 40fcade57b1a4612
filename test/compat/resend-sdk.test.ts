import { Resend } from 'resend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/backends.js';
import { type RunningWaymark, startWaymark } from '../support/in-process.js';

// Resend's official SDK, pointed at Waymark with one line, for the calls whose resources Waymark has.
describe.each(backends())("Resend's SDK against Waymark, on %s", (backend) => {
  let s: RunningWaymark;
  let resend: Resend;
  beforeAll(async () => {
    s = await startWaymark({ backend, env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    resend = new Resend(s.adminKey, { baseUrl: `${s.baseUrl}/v1` });
  });
  afterAll(() => s.stop());

  it('verifies and removes a domain: POST and DELETE with a JSON content type and no body', async () => {
    const created = await resend.domains.create({ name: 'resend-compat.example' });
    expect(created.error).toBeNull();
    const id = created.data!.id;
    const verified = await resend.domains.verify(id);
    expect(verified.error).toBeNull();
    const removed = await resend.domains.remove(id);
    expect(removed.error).toBeNull();
    expect((await resend.domains.get(id)).error).toMatchObject({ name: 'not_found', statusCode: 404 });
  });

  it('creates an API key answered as Resend answers it, which works until it is removed', async () => {
    const created = await resend.apiKeys.create({ name: 'app' });
    expect(created.error).toBeNull();
    const { id, token } = created.data!;
    const withKey = new Resend(token, { baseUrl: `${s.baseUrl}/v1` });
    expect((await withKey.emails.list()).error).toBeNull();
    expect((await resend.apiKeys.remove(id)).error).toBeNull();
    expect((await withKey.emails.list()).error).toMatchObject({ name: 'invalid_api_key', statusCode: 401, message: 'the API key is not valid' });
  });

  it("creates a webhook from Resend's field names and rotates its signing secret on Resend's path", async () => {
    const created = await resend.webhooks.create({ endpoint: 'http://127.0.0.1:9/hook', events: ['email.opened', 'email.clicked'] });
    expect(created.error).toBeNull();
    const { id, signing_secret: first } = created.data!;
    expect(first).toMatch(/^whsec_/);
    expect((await resend.webhooks.get(id)).data).toMatchObject({ id, url: 'http://127.0.0.1:9/hook' });
    const rotated = await resend.webhooks.rotateSigningSecret(id);
    expect(rotated.error).toBeNull();
    expect(rotated.data).toMatchObject({ id });
    expect((rotated.data as unknown as { signing_secret: string }).signing_secret).toMatch(/^whsec_/);
    expect((rotated.data as unknown as { signing_secret: string }).signing_secret).not.toBe(first);
    expect((await resend.webhooks.remove(id)).error).toBeNull();
  });

  it('hands the SDK error bodies whose name, message and statusCode Resend users read', async () => {
    const missing = await resend.emails.get('00000000-0000-4000-8000-000000000000');
    expect(missing.error).toMatchObject({ name: 'not_found', statusCode: 404, message: expect.any(String), error: { code: 'not_found' } });
    const invalid = await resend.emails.send({ from: 'not an address', to: 'ann@example.org', subject: 'Hi', html: '<p>Hi</p>' });
    expect(invalid.error).toMatchObject({ name: 'validation_error', statusCode: 422, error: { code: 'validation_failed' } });
    expect(invalid.error!.message).toBe((invalid.error as unknown as { error: { message: string } }).error.message);
  });
});
