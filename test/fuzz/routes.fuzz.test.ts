import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/backends.js';
import { documentValidator, pointerSegment } from '../support/document-validator.js';
import { emailBody } from '../support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../support/in-process.js';

/**
 * Every route of the OpenAPI document, on both backends, with text no database holds alike: NUL,
 * unpaired surrogates, and bytes that are not UTF-8 (overlong, surrogates encoded, past U+10FFFF).
 * Each goes in every string of a valid body, every object key, every query parameter and every path
 * parameter. No answer may be a 5xx, each must be one the document lists, and nothing may change.
 */
const BAD_STRINGS = ['\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '\uDBFF\uDBFF'];
const BAD_URL_PARTS = ['%00', 'a%00b', '%ED%A0%80', '%C0%AF', '%F4%90%80%80', '%FF'];
const BAD_BODY_BYTES = [Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0xff])];

interface Ids {
  email: string;
  webhook: string;
  delivery: string;
  domain: string;
  export: string;
  apiKey: string;
  token: string;
}

/** A valid request for each operation; a route missing here fails the test. */
function examples(ids: Ids): Record<string, { params?: Record<string, string>; query?: Record<string, string>; body?: unknown }> {
  const since = '2026-01-01T00:00:00Z';
  return {
    'GET /v1/emails': { query: { limit: '5', status: 'captured', since, until: '2030-01-01T00:00:00Z' } },
    'POST /v1/emails': { body: emailBody({ cc: ['cc@example.org'], reply_to: 'r@example.org', headers: { 'X-Campaign': 'fall' }, tags: [{ name: 'kind', value: 'news' }] }) },
    'GET /v1/emails/{id}': { params: { id: ids.email } },
    'GET /v1/emails/{id}/raw': { params: { id: ids.email } },
    'GET /v1/emails/{id}/preview': { params: { id: ids.email }, query: { click_map: 'true' } },
    'POST /v1/session': { body: { key: 'wm_' + 'x'.repeat(32) } },
    'GET /v1/session': {},
    'DELETE /v1/session': {},
    'GET /v1/emails/{id}/events': { params: { id: ids.email }, query: { limit: '5' } },
    'GET /v1/events': { query: { type: 'opened', email_id: ids.email, since, until: '2030-01-01T00:00:00Z' } },
    'GET /v1/api-keys': {},
    'POST /v1/api-keys': { body: { name: 'fuzz', role: 'member', expires_at: '2099-01-01T00:00:00Z' } },
    'DELETE /v1/api-keys/{id}': { params: { id: ids.apiKey } },
    'GET /v1/webhooks': {},
    'POST /v1/webhooks': { body: { url: 'http://127.0.0.1:9/hook', events: ['email.opened'], description: 'fuzz' } },
    'GET /v1/webhooks/{id}': { params: { id: ids.webhook } },
    'PATCH /v1/webhooks/{id}': { params: { id: ids.webhook }, body: { url: 'http://127.0.0.1:9/other', description: 'd', events: ['email.sent'] } },
    'DELETE /v1/webhooks/{id}': { params: { id: ids.webhook } },
    'POST /v1/webhooks/{id}/rotate-secret': { params: { id: ids.webhook } },
    'POST /v1/webhooks/{id}/signing-secret/rotate': { params: { id: ids.webhook } },
    'POST /v1/webhooks/{id}/test': { params: { id: ids.webhook } },
    'GET /v1/webhooks/{id}/deliveries': { params: { id: ids.webhook }, query: { limit: '5' } },
    'POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry': { params: { id: ids.webhook, deliveryId: ids.delivery } },
    'POST /v1/webhooks/{id}/replay': { params: { id: ids.webhook }, body: { since } },
    'GET /v1/analytics/summary': { query: { from: since, tag: 'kind:news', domain_id: ids.domain } },
    'GET /v1/analytics/timeseries': { query: { from: since, to: '2030-01-01T00:00:00Z', interval: 'day', tag: 'kind:news', tz: 'Europe/Paris' } },
    'GET /v1/analytics/clients': { query: { from: since, tag: 'kind:news' } },
    'GET /v1/analytics/links': { query: { email_id: ids.email } },
    'POST /v1/exports': { body: { resource: 'events', filters: { type: 'opened', since } } },
    'GET /v1/exports': { query: { limit: '5' } },
    'GET /v1/exports/{id}/download': { params: { id: ids.export } },
    'POST /v1/domains': { body: { name: 'fuzz.example.test', custom_return_path: 'bounce', open_tracking: true, tls: 'enforced' } },
    'GET /v1/domains': { query: { limit: '5' } },
    'GET /v1/domains/{id}': { params: { id: ids.domain } },
    'PATCH /v1/domains/{id}': { params: { id: ids.domain }, body: { tracking_subdomain: 'links', tls: 'opportunistic' } },
    'DELETE /v1/domains/{id}': { params: { id: ids.domain }, query: { force: 'false' } },
    'POST /v1/domains/{id}/verify': { params: { id: ids.domain } },
    'GET /v1/tls/ask': { query: { domain: 'links.example.test' } },
    'GET /v1/track/open/{token}': { params: { token: ids.token } },
    'GET /v1/track/click/{token}': { params: { token: ids.token } },
  };
}

/** Every string leaf and every object of a JSON value, each with a way to replace it in a copy. */
function mutations(value: unknown, bad: string): unknown[] {
  const out: unknown[] = [];
  const walk = (node: unknown, rebuild: (v: unknown) => unknown) => {
    if (typeof node === 'string') out.push(rebuild(bad));
    else if (Array.isArray(node)) node.forEach((item, i) => walk(item, (v) => rebuild(node.map((x, j) => (j === i ? v : x)))));
    else if (node !== null && typeof node === 'object') {
      out.push(rebuild({ ...node, [bad]: 'x' }));
      for (const key of Object.keys(node)) walk((node as Record<string, unknown>)[key], (v) => rebuild({ ...node, [key]: v }));
    }
  };
  walk(value, (v) => v);
  return out;
}

/** Values of every JSON type, and a long string, to put where the document expects another. */
const WRONG_VALUES: unknown[] = [0, -1, 1.5, 1e308, true, null, [], {}, [[]], 'x'.repeat(100_000)];
/** Bodies that are not JSON, or JSON that nests past any sane depth. */
const NOT_JSON = ['{', '{"a":', '{"a":1,}', "{'a':1}", 'nul', '[1,2', '{"a":1}}', '\u0000', `${'['.repeat(100_000)}${']'.repeat(100_000)}`];
/** Path parameters that are not an id, or an id of nothing. */
const BAD_IDS = ['0', 'not-a-uuid', 'a/../b', 'x'.repeat(2_000), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];
/** Query values: empty, negative, out of range, not numbers, not dates, bad cursors, long. */
const BAD_QUERY_VALUES = ['', '-1', '0', '1e309', 'NaN', '[]', 'true', '2026-13-45', 'garbage', 'x'.repeat(5_000)];
const BAD_AUTH = ['', 'Bearer', 'Bearer ', 'Bearer wm_' + 'x'.repeat(10_000), 'Basic Zm9vOmJhcg==', 'bearer wm_nothing', 'Bearer wm_\tx'];
const BAD_CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16'];

/** Every leaf and every object or array of a JSON value replaced by `value`, one at a time. */
function replacements(node: unknown, value: unknown, rebuild: (v: unknown) => unknown = (v) => v): unknown[] {
  const out: unknown[] = [rebuild(value)];
  if (Array.isArray(node)) node.forEach((item, i) => out.push(...replacements(item, value, (v) => rebuild(node.map((x, j) => (j === i ? v : x))))));
  else if (node !== null && typeof node === 'object') {
    for (const key of Object.keys(node)) out.push(...replacements((node as Record<string, unknown>)[key], value, (v) => rebuild({ ...node, [key]: v })));
  }
  return out;
}

function pathFor(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
}

function queryString(query: Record<string, string>): string {
  const entries = Object.entries(query);
  return entries.length === 0 ? '' : '?' + entries.map(([k, v]) => `${k}=${v}`).join('&');
}

describe.each(backends())('route fuzz on %s', (backend) => {
  let s: RunningWaymark;
  let doc: any;
  let ids: Ids;
  let before: string;

  /** What every list route shows, to prove nothing changed. */
  const snapshot = async () => {
    const parts = await Promise.all(
      ['/v1/emails?limit=100', '/v1/events?limit=100', '/v1/api-keys', '/v1/webhooks?limit=100', '/v1/domains?limit=100', `/v1/webhooks/${ids.webhook}/deliveries?limit=100`].map(
        async (p) => JSON.stringify((await s.api('GET', p)).body.data.map((x: Record<string, unknown>) => ({ ...x, last_used_at: undefined }))),
      ),
    );
    return parts.join('\n');
  };

  beforeAll(async () => {
    s = await startWaymark({ backend, env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    doc = await (await fetch(`${s.baseUrl}/v1/openapi.json`)).json();
    const email = (await s.api('POST', '/v1/emails', emailBody({ tags: [{ name: 'kind', value: 'news' }] }))).body.id as string;
    const html = (await s.api('GET', `/v1/emails/${email}`)).body.html as string;
    const token = /\/v1\/track\/click\/([A-Za-z0-9_-]+)/.exec(html)![1]!;
    const webhook = (await s.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['email.opened'] })).body.endpoint.id as string;
    const delivery = (await s.api('POST', `/v1/webhooks/${webhook}/test`)).body.delivery_id as string;
    const domain = (await s.api('POST', '/v1/domains', { name: 'mail.example.test' })).body.id as string;
    const exported = await s.api('POST', '/v1/exports', { resource: 'emails' });
    const apiKey = (await s.api('POST', '/v1/api-keys', { name: 'spare' })).body.api_key.id as string;
    ids = { email, webhook, delivery, domain, export: exported.headers.get('x-export-id')!, apiKey, token };
    // Let the test delivery settle (it fails against port 9), so the snapshot is stable.
    for (let i = 0; i < 100; i++) {
      const [d] = (await s.api('GET', `/v1/webhooks/${webhook}/deliveries`)).body.data;
      if (d.attempts > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await s.waymark.webhookWorker.stop();
    before = await snapshot();
  });
  afterAll(() => s.stop());

  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op })),
    );

  it('has a valid example for every route the document lists', () => {
    const known = examples(ids);
    expect(operations().map((o) => o.key).filter((k) => !(k in known))).toEqual([]);
  });

  it('never answers 5xx nor an answer the document does not list, and changes nothing', async () => {
    const known = examples(ids);
    const failures: string[] = [];
    let sent = 0;
    const send = async (key: string, op: any, method: string, url: string, body?: string | Buffer) => {
      sent++;
      const res = await fetch(s.baseUrl + url, {
        method,
        redirect: 'manual',
        headers: { authorization: `Bearer ${s.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body,
      });
      await res.arrayBuffer();
      const documented = Object.keys(op.responses ?? {});
      if (res.status >= 500 || !documented.includes(String(res.status))) failures.push(`${key} ${url.slice(0, 80)} → ${res.status}`);
      return res.status;
    };

    for (const { key, method, path, op } of operations()) {
      const ex = known[key]!;
      const params = ex.params ?? {};
      const query = ex.query ?? {};
      const declared = (op.parameters ?? []).filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name as string);
      expect(Object.keys(query).filter((name) => !declared.includes(name)), `${key}: example parameters the route does not take`).toEqual([]);
      const url = pathFor(path, params) + queryString(query);
      for (const bad of BAD_STRINGS) {
        if (ex.body !== undefined) {
          for (const mutated of mutations(ex.body, bad)) {
            const status = await send(key, op, method, url, JSON.stringify(mutated));
            if (status !== 422) failures.push(`${key} body ${JSON.stringify(mutated).slice(0, 60)} → ${status}, not 422`);
          }
        }
      }
      for (const part of BAD_URL_PARTS) {
        for (const name of declared) await send(key, op, method, pathFor(path, params) + queryString({ ...query, [name]: part }), ex.body === undefined ? undefined : JSON.stringify(ex.body));
        // An unknown parameter is ignored where a route takes no query, and a request that is
        // valid but for it would really change something: only on reads that take a query.
        const takesQuery = (op.parameters ?? []).some((p: { in: string }) => p.in === 'query');
        if (method === 'GET' && takesQuery) await send(key, op, method, pathFor(path, params) + queryString({ ...query, [`k${part}`]: '1' }));
        for (const name of Object.keys(params)) {
          await send(key, op, method, pathFor(path, { ...params, [name]: part }) + queryString(query), ex.body === undefined ? undefined : JSON.stringify(ex.body));
        }
      }
      if (ex.body !== undefined) {
        const json = Buffer.from(JSON.stringify(ex.body));
        const at = json.indexOf(':"') + 2;
        for (const bytes of BAD_BODY_BYTES) {
          const status = await send(key, op, method, url, Buffer.concat([json.subarray(0, at), bytes, json.subarray(at)]));
          if (status !== 400) failures.push(`${key} body bytes ${bytes.toString('hex')} → ${status}, not 400`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(500);
    expect(await snapshot()).toBe(before);
  });
  it('refuses hostile shapes on every route with a documented 4xx in the error shape, and changes nothing', async () => {
    const known = examples(ids);
    const schemaAt = documentValidator(doc);
    const failures: string[] = [];
    const tried = new Map<string, number>();
    const send = async (key: string, op: any, method: string, url: string, init: { body?: string; headers?: Record<string, string>; expect?: (status: number) => boolean } = {}) => {
      tried.set(key, (tried.get(key) ?? 0) + 1);
      const headers = { authorization: `Bearer ${s.adminKey}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers };
      const res = await fetch(s.baseUrl + url, { method, redirect: 'manual', headers, body: init.body });
      const text = await res.text();
      const what = `${key} ${url.slice(0, 60)} ${JSON.stringify(init.headers ?? {}).slice(0, 60)} ${(init.body ?? '').slice(0, 60)} → ${res.status}`;
      if (res.status >= 500 || !Object.keys(op.responses ?? {}).includes(String(res.status))) failures.push(`${what}: not documented`);
      else if (init.expect !== undefined && !init.expect(res.status)) failures.push(`${what}: not the answer expected`);
      if (res.status >= 400 && (res.headers.get('content-type') ?? '').startsWith('application/json')) {
        const body = JSON.parse(text);
        if (typeof body?.error?.code !== 'string' || typeof body?.error?.message !== 'string') failures.push(`${what}: not the error shape: ${text.slice(0, 80)}`);
      }
      if (res.status >= 300 && res.status < 400 && key !== 'GET /v1/track/click/{token}') failures.push(`${what}: a redirect`);
      return res;
    };
    const refused = (status: number) => status >= 400 && status < 500;

    for (const { key, method, path, op } of operations()) {
      const ex = known[key]!;
      const params = ex.params ?? {};
      const query = ex.query ?? {};
      const url = pathFor(path, params) + queryString(query);
      const body = ex.body === undefined ? undefined : JSON.stringify(ex.body);
      const requestSchema = op.requestBody?.content?.['application/json']?.schema;
      if (ex.body !== undefined && requestSchema !== undefined) {
        const valid = schemaAt(`/paths/${pointerSegment(path)}/${method.toLowerCase()}/requestBody/content/application~1json/schema`);
        // Wrong types anywhere, and random JSON, that the document itself refuses: the server must too.
        const candidates = [...WRONG_VALUES.flatMap((v) => replacements(ex.body, v)), ...fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed: 7, numRuns: 25 })];
        for (const candidate of candidates) {
          if (valid(candidate)) continue;
          await send(key, op, method, url, { body: JSON.stringify(candidate), expect: refused });
        }
        for (const text of NOT_JSON) await send(key, op, method, url, { body: text, expect: refused });
        for (const type of BAD_CONTENT_TYPES) await send(key, op, method, url, { body, headers: { 'content-type': type }, expect: refused });
      }
      // The pixel answers every token with the GIF; everything else refuses what names nothing.
      const pixel = key === 'GET /v1/track/open/{token}';
      for (const name of Object.keys(params)) {
        for (const id of BAD_IDS) {
          await send(key, op, method, pathFor(path, { ...params, [name]: encodeURIComponent(id) }) + queryString(query), { body, expect: pixel ? (st) => st === 200 : refused });
        }
      }
      // Reads only: a valid value in a write's query could really change something (and a
      // tracking route's example token is real, so any query on it would record a hit).
      if (method === 'GET' && !key.startsWith('GET /v1/track/')) {
        const declared = (op.parameters ?? []).filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name as string);
        for (const name of [...declared, 'after', 'before']) {
          for (const value of BAD_QUERY_VALUES) await send(key, op, method, pathFor(path, params) + queryString({ ...query, [name]: encodeURIComponent(value) }));
        }
      }
      // A public route ignores the header; every other refuses it with 401. (The tracking routes
      // ignore it too, and their example token is real: a hit would be recorded.)
      const isPublic = (op.security !== undefined && op.security.length === 0) || key === 'POST /v1/session';
      if (!key.startsWith('GET /v1/track/')) for (const auth of BAD_AUTH) await send(key, op, method, url, { body, headers: { authorization: auth }, ...(isPublic ? {} : { expect: (st: number) => st === 401 }) });
    }
    // Tracking tokens: random text is never a redirect and never recorded.
    const tokens = fc.sample(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')), minLength: 1, maxLength: 200 }), { seed: 11, numRuns: 100 });
    const tracking = operations().filter((o) => o.key.startsWith('GET /v1/track/'));
    for (const { key, method, path, op } of tracking) {
      for (const token of tokens) {
        const res = await send(key, op, method, pathFor(path, { token }), { expect: (st) => st === (key.includes('/open/') ? 200 : 404) });
        if (res.headers.get('location') !== null) failures.push(`${key} ${token}: redirected to ${res.headers.get('location')}`);
      }
    }

    console.log(`hostile requests per route (${backend}):\n${[...tried].map(([k, n]) => `  ${String(n).padStart(4)}  ${k}`).join('\n')}`);
    expect(failures).toEqual([]);
    expect(tried.size).toBe(operations().length);
    expect(await snapshot()).toBe(before);
  }, 600_000);
});
