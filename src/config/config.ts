import path from 'node:path';
import { parseDnsServers } from '../core/domains/dns-servers.js';
import proxyaddr from 'proxy-addr';
import { KeyringError, parseKeyring } from '../core/tokens/index.js';
import { IP_MODES, type IpMode } from '../core/ip-privacy.js';
import { parseIpListFileSpec, type IpListFileSpec } from '../core/classification/ip-lists.js';

/** Everything Waymark reads from its environment, validated once at start. */
export interface Config {
  databaseUrl: string;
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string;
  trackingUrl: string;
  /** WAYMARK_SECRET as given; when absent the data directory's generated secret is used. */
  secretSpec: string | null;
  smtpUrl: string | null;
  trustedProxies: string[];
  excludedHosts: string[];
  logLevel: string;
  bodyLimitBytes: number;
  /** WAYMARK_IP_MODE: what is stored of each tracking hit's IP (default full). */
  ipMode: IpMode;
  /** WAYMARK_EVENT_RETENTION_DAYS: raw events older than this are purged; null keeps them forever. */
  eventRetentionDays: number | null;
  /** Serve the tracking routes before Fastify's router; off only to measure the difference. */
  trackingFastPath: boolean;
  /** WAYMARK_WEBHOOK_ALLOW_PRIVATE=1: webhooks may go to private and loopback addresses. */
  webhookAllowPrivate: boolean;
  /** An endpoint that has failed for this long is disabled (WAYMARK_WEBHOOK_DISABLE_AFTER_HOURS). */
  webhookDisableAfterMs: number;
  /** Where domains' DNS records must point (see DnsTargets). */
  trackingCnameTarget: string;
  spfInclude: string;
  mxHost: string;
  acmeCa: string;
  /** WAYMARK_DNS_SERVERS: resolvers for domain checks (`host` or `host:port`); empty: the system's. */
  dnsServers: string[];
  /** How often verified domains are re-checked (WAYMARK_DNS_RECHECK_HOURS). */
  dnsRecheckMs: number;
  /** WAYMARK_JOURNAL_DIR: this node's hit journal (default `<data dir>/journal`). */
  journalDir: string;
  /** WAYMARK_JOURNAL_MAX_BYTES: beyond this the journal refuses new hits (still answered, not recorded). */
  journalMaxBytes: number;
  /**
   * WAYMARK_MACHINE_IP_LISTS: files of machine IP ranges that label tracking hits, in order of precedence,
   * each with the label of its lines that have none (`path=label`); paths absolute. Empty: no lists.
   */
  machineIpLists: IpListFileSpec[];
}

export class ConfigError extends Error {}

export interface ConfigOverrides {
  port?: number | string;
  host?: string;
  databaseUrl?: string;
}

/** 1 GiB: about 5 million hits, hours of a busy node's traffic while its database is away. */
const DEFAULT_JOURNAL_MAX_BYTES = 1_073_741_824;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: NodeJS.ProcessEnv, overrides: ConfigOverrides = {}): Config {
  const dataDir = path.resolve(nonEmpty(env.WAYMARK_DATA_DIR) ?? './waymark-data');
  const databaseUrl = parseDatabaseUrl(
    overrides.databaseUrl ?? nonEmpty(env.WAYMARK_DATABASE_URL) ?? `sqlite:${path.join(dataDir, 'waymark.db')}`,
  );
  const port = parsePort(overrides.port ?? nonEmpty(env.PORT) ?? 3000);
  const host = overrides.host ?? nonEmpty(env.WAYMARK_HOST) ?? '0.0.0.0';
  const publicUrl = parseBaseUrl('WAYMARK_PUBLIC_URL', nonEmpty(env.WAYMARK_PUBLIC_URL) ?? `http://localhost:${port}`);
  const trackingUrl = parseBaseUrl('WAYMARK_TRACKING_URL', nonEmpty(env.WAYMARK_TRACKING_URL) ?? publicUrl);
  const smtpUrl = nonEmpty(env.WAYMARK_SMTP_URL) ?? null;
  if (smtpUrl !== null && !/^smtps?:\/\//i.test(smtpUrl)) {
    throw new ConfigError(`WAYMARK_SMTP_URL must start with smtp:// or smtps:// (got "${smtpUrl}")`);
  }
  const logLevel = nonEmpty(env.WAYMARK_LOG_LEVEL) ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`WAYMARK_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const bodyLimitBytes = parsePositiveInt('WAYMARK_MAX_BODY_BYTES', nonEmpty(env.WAYMARK_MAX_BODY_BYTES) ?? '5242880');
  const secretSpec = nonEmpty(env.WAYMARK_SECRET) ?? null;
  // Checked here, not only where the keys are used, so that every command refuses a bad secret.
  if (secretSpec !== null) validateSecret(secretSpec);
  const trustedProxies = list(env.WAYMARK_TRUSTED_PROXIES);
  validateTrustedProxies(trustedProxies);
  const trackingCnameTarget = parseHostname('WAYMARK_TRACKING_CNAME_TARGET', nonEmpty(env.WAYMARK_TRACKING_CNAME_TARGET) ?? new URL(trackingUrl).hostname);
  const dnsServers = parseServers(nonEmpty(env.WAYMARK_DNS_SERVERS));
  const ipMode = (nonEmpty(env.WAYMARK_IP_MODE) ?? 'full') as IpMode;
  if (!IP_MODES.includes(ipMode)) throw new ConfigError(`WAYMARK_IP_MODE must be one of ${IP_MODES.join(', ')} (got "${ipMode}")`);
  const retention = nonEmpty(env.WAYMARK_EVENT_RETENTION_DAYS);
  const eventRetentionDays = retention === undefined ? null : parseRetentionDays(retention);
  return {
    ipMode,
    eventRetentionDays,
    databaseUrl,
    dataDir,
    host,
    port,
    publicUrl,
    trackingUrl,
    secretSpec,
    smtpUrl,
    trustedProxies,
    excludedHosts: list(env.WAYMARK_TRACKING_EXCLUDED_HOSTS).map((h) => h.toLowerCase()),
    logLevel,
    bodyLimitBytes,
    trackingFastPath: env.WAYMARK_TRACKING_FAST_PATH !== '0',
    webhookAllowPrivate: parseFlag('WAYMARK_WEBHOOK_ALLOW_PRIVATE', env.WAYMARK_WEBHOOK_ALLOW_PRIVATE),
    webhookDisableAfterMs: parsePositiveInt('WAYMARK_WEBHOOK_DISABLE_AFTER_HOURS', nonEmpty(env.WAYMARK_WEBHOOK_DISABLE_AFTER_HOURS) ?? '120') * 3_600_000,
    trackingCnameTarget,
    spfInclude: parseHostname('WAYMARK_SPF_INCLUDE', nonEmpty(env.WAYMARK_SPF_INCLUDE) ?? trackingCnameTarget),
    mxHost: parseHostname('WAYMARK_MX_HOST', nonEmpty(env.WAYMARK_MX_HOST) ?? trackingCnameTarget),
    acmeCa: parseHostname('WAYMARK_ACME_CA', nonEmpty(env.WAYMARK_ACME_CA) ?? 'letsencrypt.org'),
    dnsServers,
    dnsRecheckMs: parsePositiveInt('WAYMARK_DNS_RECHECK_HOURS', nonEmpty(env.WAYMARK_DNS_RECHECK_HOURS) ?? '24') * 3_600_000,
    journalDir: path.resolve(nonEmpty(env.WAYMARK_JOURNAL_DIR) ?? path.join(dataDir, 'journal')),
    journalMaxBytes: parsePositiveInt('WAYMARK_JOURNAL_MAX_BYTES', nonEmpty(env.WAYMARK_JOURNAL_MAX_BYTES) ?? String(DEFAULT_JOURNAL_MAX_BYTES)),
    machineIpLists: parseMachineIpLists(env.WAYMARK_MACHINE_IP_LISTS),
  };
}

/** Comma-separated `path` or `path=label`; the files themselves are read, and refused, when the server starts. */
function parseMachineIpLists(v: string | undefined): IpListFileSpec[] {
  const specs = list(v).map((item) => {
    try {
      const spec = parseIpListFileSpec(item);
      return { path: path.resolve(spec.path), label: spec.label };
    } catch (err) {
      throw new ConfigError(`WAYMARK_MACHINE_IP_LISTS: ${(err as Error).message}; give comma-separated paths, each optionally path=label (e.g. /etc/waymark/apple.csv=apple_mpp)`);
    }
  });
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.path)) throw new ConfigError(`WAYMARK_MACHINE_IP_LISTS names ${spec.path} twice`);
    seen.add(spec.path);
  }
  return specs;
}

/** A DNS name, normalised (lowercase, punycode, no trailing dot). */
function parseHostname(name: string, v: string): string {
  if (/[/:@?#\s\\]/.test(v)) throw new ConfigError(`${name} must be a host name, without scheme, port or path (got "${v}")`);
  try {
    return new URL(`http://${v}`).hostname.replace(/\.$/, '');
  } catch {
    throw new ConfigError(`${name} must be a host name (got "${v}")`);
  }
}

function parseServers(v: string | undefined): string[] {
  if (v === undefined) return [];
  try {
    return parseDnsServers(v);
  } catch (err) {
    throw new ConfigError(`WAYMARK_DNS_SERVERS: ${(err as Error).message}`);
  }
}

function parseFlag(name: string, value: string | undefined): boolean {
  const v = nonEmpty(value);
  if (v === undefined || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw new ConfigError(`${name} must be 1 or 0 (got "${v}")`);
}

function validateSecret(spec: string): void {
  try {
    parseKeyring(spec);
  } catch (err) {
    if (err instanceof KeyringError) throw new ConfigError(`WAYMARK_SECRET: ${err.message}`);
    throw err;
  }
}

function validateTrustedProxies(entries: string[]): void {
  try {
    proxyaddr.compile(entries);
  } catch (err) {
    throw new ConfigError(`WAYMARK_TRUSTED_PROXIES must list IP addresses or CIDR ranges: ${(err as Error).message}`);
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function parseDatabaseUrl(url: string): string {
  if (/^sqlite:.+/.test(url) || /^postgres(ql)?:\/\/.+/.test(url)) return url;
  throw new ConfigError(`WAYMARK_DATABASE_URL must be sqlite:<path> or postgres://… (got "${url}")`);
}

function parsePort(v: number | string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`port must be an integer from 0 to 65535 (got "${v}")`);
  return n;
}

function parsePositiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError(`${name} must be a positive integer (got "${v}")`);
  return n;
}

/** Whole days, written as digits (no `1e3`, `0x10` or `30.0`); at most 100 years. */
function parseRetentionDays(v: string): number {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n) || n <= 0 || n > 36_500) {
    throw new ConfigError(`WAYMARK_EVENT_RETENTION_DAYS must be a positive whole number of days, at most 36500 (got "${v}"); leave it unset to keep events forever`);
  }
  return n;
}

/** A base URL without a trailing slash, http(s) only. */
function parseBaseUrl(name: string, v: string): string {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(`${name} is not a valid URL (got "${v}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must be an http(s) URL (got "${v}")`);
  if (url.search || url.hash) throw new ConfigError(`${name} must not have a query or fragment (got "${v}")`);
  return url.href.replace(/\/+$/, '');
}
