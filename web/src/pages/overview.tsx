import { Fragment, useMemo, useState } from 'react';
import { api, call } from '../api/client';
import { TimeChart } from '../components/chart';
import { Async, Empty } from '../components/states';
import { Card, PageHeader } from '../components/ui';
import { count, rate } from '../format';
import { useLoad } from '../load';

const DAY = 86_400_000;
const RANGES = [
  { days: 1, label: 'Last 24 hours', interval: 'hour' as const },
  { days: 7, label: 'Last 7 days', interval: 'day' as const },
  { days: 30, label: 'Last 30 days', interval: 'day' as const },
  { days: 90, label: 'Last 90 days', interval: 'day' as const },
];

export function Overview() {
  const [range, setRange] = useState(1);
  const [customFrom, setCustomFrom] = useState(() => localInput(Date.now() - 14 * DAY));
  const [customTo, setCustomTo] = useState(() => localInput(Date.now()));
  const custom = range === RANGES.length;
  const [interval, setInterval] = useState<'hour' | 'day'>('day');
  const [tz, setTz] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [tag, setTag] = useState('');
  const [domainId, setDomainId] = useState('');
  const from = useMemo(() => {
    const start = custom ? new Date(customFrom) : new Date(Date.now() - RANGES[range]!.days * DAY);
    if (Number.isNaN(start.getTime())) return new Date(Date.now() - 7 * DAY).toISOString();
    start.setUTCMinutes(0, 0, 0);
    return start.toISOString();
  }, [range, custom, customFrom]);
  const to = custom && !Number.isNaN(new Date(customTo).getTime()) ? new Date(customTo).toISOString() : undefined;
  const filters = { from, ...(to ? { to } : {}), ...(tag.includes(':') ? { tag } : {}), ...(domainId ? { domain_id: domainId } : {}) };
  const key = JSON.stringify(filters);
  const summary = useLoad(() => call(api.GET('/v1/analytics/summary', { params: { query: filters } })), [key]);
  const series = useLoad(() => call(api.GET('/v1/analytics/timeseries', { params: { query: { ...filters, interval, tz } } })), [key, interval, tz]);
  const clients = useLoad(() => call(api.GET('/v1/analytics/clients', { params: { query: filters } })), [key]);
  const domains = useLoad(() => call(api.GET('/v1/domains', { params: { query: { limit: 100 } } })), []);

  return (
    <>
      <PageHeader title="Overview" />
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <label>
          Range
          <select value={range} onChange={(e) => setRange(Number(e.target.value))}>
            {RANGES.map((r, i) => (
              <option key={r.days} value={i}>
                {r.label}
              </option>
            ))}
            <option value={RANGES.length}>Custom…</option>
          </select>
        </label>
        {custom ? (
          <>
            <label>
              From
              <input type="datetime-local" value={customFrom} onChange={(e) => setCustomFrom(e.target.value)} />
            </label>
            <label>
              To
              <input type="datetime-local" value={customTo} onChange={(e) => setCustomTo(e.target.value)} />
            </label>
          </>
        ) : null}
        <label>
          Per
          <select value={interval} onChange={(e) => setInterval(e.target.value as 'hour' | 'day')}>
            <option value="hour">hour</option>
            <option value="day">day</option>
          </select>
        </label>
        <label>
          Time zone
          <input value={tz} onChange={(e) => setTz(e.target.value)} list="time-zones" />
        </label>
        <label>
          Tag
          <input value={tag} onChange={(e) => setTag(e.target.value)} placeholder="name:value" />
        </label>
        <label>
          Domain
          <select value={domainId} onChange={(e) => setDomainId(e.target.value)}>
            <option value="">All domains</option>
            {(domains.data?.data ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      <Async state={summary} what="the summary">
        {(s) => (
          <>
            <div className="cards" aria-label="Summary">
              <Card className="stat">
                <span className="stat-label">Sent</span>
                <span className="stat-value" data-testid="stat-sent">{count(s.sent)}</span>
              </Card>
              <RateCard
                label="Human open rate"
                human={s.human_open_rate}
                all={s.open_rate}
                allLabel="All opens"
                testId="open-rate"
                counts={[`${count(s.human_opened)} opened`, `${count(s.human_opens)} opens`, `+${count(s.machine_opens)} by machines`]}
              />
              <RateCard
                label="Human click rate"
                human={s.human_click_rate}
                all={s.click_rate}
                allLabel="All clicks"
                testId="click-rate"
                counts={[`${count(s.human_clicked)} clicked`, `${count(s.human_clicks)} clicks`, `+${count(s.machine_clicks)} by machines`]}
              />
              <RateCard label="Human click-to-open" human={s.human_click_to_open_rate} all={s.click_to_open_rate} allLabel="All" testId="cto" />
            </div>
            {s.aggregate_only_sent > 0 ? (
              <p className="muted small" data-testid="aggregate-only-note">
                {count(s.aggregate_only_sent)} of these {count(s.sent)} emails {s.aggregate_only_sent === 1 ? 'was' : 'were'} sent in aggregate-only mode:{' '}
                {s.aggregate_only_sent === 1 ? 'its' : 'their'} opens and clicks are counted above, but not among the emails opened or clicked, so the rates
                are over the other {count(s.sent - s.aggregate_only_sent)}.
              </p>
            ) : null}
          </>
        )}
      </Async>
      <Card title={`Sent, opened and clicked per ${interval}: by people, and in all`}>
        <Async state={series} what="the time series">
          {(t) =>
            t.data.length === 0 ? (
              <Empty title="No email in this range yet">Send one through the API and it shows here.</Empty>
            ) : (
              <SeriesChart rows={t.data} from={from} to={to} interval={interval} />
            )
          }
        </Async>
      </Card>
      <Async state={clients} what="clients">
        {(c) => (
          <div className="grid-3">
            {(
              [
                ['Clients', c.clients],
                ['Devices', c.devices],
                ['Operating systems', c.os],
              ] as const
            ).map(([title, rows]) => (
              <Card key={title} title={title}>
                {rows.length === 0 ? (
                  <Empty title="No opens yet" />
                ) : (
                  <table className="table compact">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col" className="num">
                          People
                        </th>
                        <th scope="col" className="num">
                          Share
                        </th>
                        <th scope="col" className="num">
                          Machines
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((r) => (
                        <tr key={r.name}>
                          <td>{r.name}</td>
                          <td className="num">{count(r.human_opens)}</td>
                          <td className="num">{rate(c.human_opens === 0 ? 0 : r.human_opens / c.human_opens)}</td>
                          <td className="num">{count(r.machine_opens)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </Card>
            ))}
          </div>
        )}
      </Async>
    </>
  );
}

const HOUR_S = 3600;

/** A time as a datetime-local input shows it (local time, to the minute). */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** A rate: people's first and large, everything (people and machines) under it, and the counts behind it. */
function RateCard({ label, human, all, allLabel, testId, counts = [] }: { label: string; human: number; all: number; allLabel: string; testId: string; counts?: string[] }) {
  return (
    <Card className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid={`stat-human-${testId}`}>
        {rate(human)}
      </span>
      <span className="stat-all">
        {allLabel}: <span data-testid={`stat-${testId}`}>{rate(all)}</span>
      </span>
      {counts.length > 0 ? (
        <span className="muted small">
          {counts.map((c, i) => (
            <Fragment key={c}>
              {i > 0 ? ' · ' : null}
              <span className="nowrap">{c}</span>
            </Fragment>
          ))}
        </span>
      ) : null}
    </Card>
  );
}

interface SeriesRow {
  start: string;
  sent: number;
  opened: number;
  human_opened: number;
  clicked: number;
  human_clicked: number;
}

const EMPTY_BUCKET = { sent: 0, opened: 0, human_opened: 0, clicked: 0, human_clicked: 0 };

/**
 * The API returns non-empty buckets only: per hour, the empty hours are filled in with zeros, so
 * the lines fall to 0 between sends (days follow the chosen time zone, so they are left as given).
 * People's opens and clicks are solid lines, everything (machines too) the dashed line of the same colour.
 */
function SeriesChart({ rows, from, to, interval }: { rows: SeriesRow[]; from: string; to: string | undefined; interval: 'hour' | 'day' }) {
  const data = useMemo(() => {
    const start = Math.floor(Date.parse(from) / 1000);
    const end = Math.ceil((to === undefined ? Date.now() : Date.parse(to)) / 1000);
    let points = rows.map((r) => ({ ...r, t: Date.parse(r.start) / 1000 }));
    if (interval === 'hour') {
      const byHour = new Map(points.map((p) => [p.t, p]));
      points = [];
      for (let t = start - (start % HOUR_S); t <= end; t += HOUR_S) points.push(byHour.get(t) ?? { ...EMPTY_BUCKET, start: '', t });
    }
    return {
      x: points.map((p) => p.t),
      range: [start, end] as [number, number],
      series: [
        { label: 'Sent', values: points.map((p) => p.sent), colour: '#64748b' },
        { label: 'Opened by people', values: points.map((p) => p.human_opened), colour: '#2563eb' },
        { label: 'Opened, all', values: points.map((p) => p.opened), colour: '#2563eb', dash: [6, 4] },
        { label: 'Clicked by people', values: points.map((p) => p.human_clicked), colour: '#c2410c' },
        { label: 'Clicked, all', values: points.map((p) => p.clicked), colour: '#c2410c', dash: [6, 4] },
      ],
    };
  }, [rows, from, to, interval]);
  return <TimeChart x={data.x} series={data.series} range={data.range} title="Sent, opened and clicked over time, by people (solid) and in all (dashed)" />;
}
