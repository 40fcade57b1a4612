/** The outgoing-mail port: the SMTP relay adapter implements it. */
export interface OutgoingMessage {
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  /** Sign with the sending domain's key, once its DKIM record is verified. */
  dkim?: DkimSigning;
  /** The SMTP envelope sender (MAIL FROM) on the domain's return path, once verified. */
  envelopeFrom?: string;
}

export interface DkimSigning {
  domainName: string;
  keySelector: string;
  /** PEM (PKCS #8). */
  privateKey: string;
}

export class PermanentDeliveryError extends Error {}

export interface Mailer {
  /** Resolves once the relay accepted the message; throws PermanentDeliveryError when retrying is pointless. */
  send(message: OutgoingMessage): Promise<void>;
  close(): void;
}

/** Builds the RFC 5322 message, for inspection of what was (or would have been) sent. */
export interface MimeComposer {
  compose(message: OutgoingMessage): Promise<Buffer>;
}
