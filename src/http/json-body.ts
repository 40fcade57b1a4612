import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { ApiError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The JSON body parser: the bytes must be UTF-8 (decoding them leniently would store U+FFFD where
 * the sender wrote something else), and keys that could reach an object's prototype are refused
 * with a message that says so, rather than as "not valid JSON". An empty body is no body on a route
 * that takes none: clients (Resend's SDK among them) send `Content-Type: application/json` with
 * nothing after it on DELETE and on POSTs such as verify or cancel.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    // JSON is UTF-8 (RFC 8259): a body labelled otherwise would be misread, not converted.
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new ApiError('unsupported_media_type', `JSON bodies are UTF-8; charset=${charset} is not supported`));
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(new ApiError('invalid_json', 'the body is not valid UTF-8'));
      return;
    }
    if (text.trim() === '') {
      if (request.routeOptions.schema?.body === undefined) done(null, undefined);
      else done(new ApiError('invalid_json', 'the JSON body is empty'));
      return;
    }
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      const message = (err as Error).message;
      if (/forbidden prototype property/i.test(message)) {
        // The parser does not say which of the two it met.
        const key = /"__proto__"\s*:/.test(text) ? '"__proto__"' : '"constructor" holding "prototype"';
        done(new ApiError('validation_failed', `the body has a ${key} key, which is not allowed in any field`));
      } else {
        done(new ApiError('invalid_json', `the body is not valid JSON: ${message}`));
      }
    }
  });
}
