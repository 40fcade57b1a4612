import { findRelevantCaaSet } from '../core/domains/caa.js';
import type { CnameWalk, DnsAnswers, DnsQuestions } from '../core/domains/check.js';
import { MAX_CNAME_HOPS } from '../core/domains/records.js';
import type { DnsAnswer, DnsResolver } from '../ports/dns.js';

/** Asks DNS everything a check needs, all at once; the rules that read the answers are core/domains/check.ts. */
export async function askDns(questions: DnsQuestions, dns: DnsResolver, cnameTarget: string): Promise<DnsAnswers> {
  const ask = <T>(names: readonly string[], lookup: (name: string) => Promise<T>): Promise<Map<string, T>> =>
    Promise.all(names.map(async (name) => [name, await lookup(name)] as const)).then((entries) => new Map(entries));
  const [txt, mx, cname, caa] = await Promise.all([
    ask(questions.txt, (name) => dns.txt(name)),
    ask(questions.mx, (name) => dns.mx(name)),
    ask(questions.cname, (name) => walkCname(name, dns, cnameTarget)),
    ask(questions.caa, (name) => findRelevantCaaSet(name, (n) => dns.caa(n))),
  ]);
  return { txt, mx, cname, caa };
}

/** Walks the CNAME chain from `host`, one hop per query, until it reaches `target` or ends. */
async function walkCname(host: string, dns: DnsResolver, target: string): Promise<CnameWalk> {
  const chain: string[] = [];
  let name = host;
  let end: DnsAnswer<string> | null = null;
  for (let hop = 0; hop < MAX_CNAME_HOPS; hop++) {
    const answer = await dns.cname(name);
    if (!answer.ok || answer.records.length === 0) {
      end = answer;
      break;
    }
    const next = answer.records[0]!;
    chain.push(next);
    if (next === target.toLowerCase() || chain.indexOf(next) !== chain.length - 1) break;
    name = next;
  }
  return { chain, end };
}
