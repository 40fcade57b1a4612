import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../test/support/in-process.js';

/** What a client that sends `Expect: 100-continue` (curl above 1 MB) sees, on a real socket. */
function postExpecting(s: RunningWaymark, body: Buffer, declared = body.length) {
  return new Promise<{ status: number; continued: boolean; body: string }>((resolve, reject) => {
    const url = new URL('/v1/emails', s.baseUrl);
    const req = request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.adminKey}`, 'content-type': 'application/json', 'content-length': declared, expect: '100-continue' },
    });
    let continued = false;
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, continued, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('a body over the limit sent with Expect: 100-continue', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ env: { WAYMARK_MAX_BODY_BYTES: '4096' } });
  });
  afterAll(() => s.stop());

  it('gets the 413 JSON answer before sending the body, and nothing is written', async () => {
    const before = (await s.api('GET', '/v1/emails')).body.data.length;
    const res = await postExpecting(s, Buffer.from(JSON.stringify(emailBody({ text: 'x'.repeat(10_000) }))));
    expect(res.continued).toBe(false);
    expect(res.status).toBe(413);
    const message = 'request body is too large (at most 4096 bytes)';
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'payload_too_large', message }, name: 'payload_too_large', message, statusCode: 413 });
    expect((await s.api('GET', '/v1/emails')).body.data.length).toBe(before);
  });

  it('is told to continue when the body fits, and the request is served', async () => {
    const res = await postExpecting(s, Buffer.from(JSON.stringify(emailBody({ html: undefined, text: 'short' }))));
    expect(res.continued).toBe(true);
    expect(res.status).toBe(201);
  });
});
