/** Sends one signed webhook request. The adapter enforces the address policy (SSRF guard). */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface WebhookResponse {
  status: number;
  retryAfter: string | null;
  /** The first bytes of the body, at most RESPONSE_EXCERPT_BYTES. */
  body: string;
}

export const RESPONSE_EXCERPT_BYTES = 1024;

/** A request that got no HTTP answer: refused by the guard, timed out, or failed on the network. */
export class WebhookSendError extends Error {
  constructor(
    readonly kind: 'forbidden_address' | 'timeout' | 'network',
    message: string,
  ) {
    super(message);
  }
}

export interface WebhookSender {
  /** Why this URL may not receive webhooks (it resolves to a forbidden address, or not at all), or null. */
  check(url: string): Promise<string | null>;
  send(request: WebhookRequest): Promise<WebhookResponse>;
}
