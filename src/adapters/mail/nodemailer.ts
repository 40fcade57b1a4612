import { type Transporter, createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { type Mailer, type MimeComposer, type OutgoingMessage, PermanentDeliveryError } from '../../ports/mailer.js';

function mailOptions(m: OutgoingMessage): Mail.Options {
  return {
    messageId: m.messageId,
    from: m.from,
    to: m.to,
    cc: m.cc.length ? m.cc : undefined,
    bcc: m.bcc.length ? m.bcc : undefined,
    replyTo: m.replyTo.length ? m.replyTo : undefined,
    subject: m.subject,
    html: m.html ?? undefined,
    text: m.text ?? undefined,
    headers: m.headers,
    ...(m.dkim ? { dkim: { domainName: m.dkim.domainName, keySelector: m.dkim.keySelector, privateKey: m.dkim.privateKey } } : {}),
    ...(m.envelopeFrom ? { envelope: { from: m.envelopeFrom, to: m.to, cc: m.cc, bcc: m.bcc } } : {}),
  };
}

export const nodemailerComposer: MimeComposer = {
  compose(message) {
    return new MailComposer(mailOptions(message)).compile().build();
  },
};

/** Delivers through the relay in WAYMARK_SMTP_URL. A 5xx reply is permanent; anything else is retried. */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(smtpUrl: string) {
    this.transport = createTransport(smtpUrl);
  }

  async send(message: OutgoingMessage): Promise<void> {
    try {
      await this.transport.sendMail(mailOptions(message));
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      if (typeof code === 'number' && code >= 500 && code < 600) {
        throw new PermanentDeliveryError((err as Error).message);
      }
      throw err;
    }
  }

  close(): void {
    this.transport.close();
  }
}
