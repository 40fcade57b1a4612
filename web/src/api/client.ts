import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Email = Schemas['Email'];
export type EmailEvent = Schemas['Event'];
export type ApiKey = Schemas['ApiKey'];
export type Domain = Schemas['Domain'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type Export = Schemas['Export'];

/** The API, typed from the server's own OpenAPI document; the session cookie authenticates. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });

/** An API error as the server sent it: its code and message are shown as they are. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
/** Where to go when the session has ended (set by the app). */
export function whenSignedOut(handler: () => void): void {
  onUnauthorized = handler;
}

/** The data of a call, or an ApiFailure with the server's code and message. */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (err) {
    throw new ApiFailure(0, 'network_error', `Waymark did not answer (${err instanceof Error ? err.message : String(err)})`);
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string } };
  const failure = new ApiFailure(response.status, body.error?.code ?? 'http_' + response.status, body.error?.message ?? response.statusText);
  if (response.status === 401) onUnauthorized();
  throw failure;
}
