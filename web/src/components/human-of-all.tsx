import { count } from '../format';

/** "2 of 3": what people did, beside everything (people and machines); with `machine`, its title says what machines did. */
export function HumanOfAll({ human, all, machine, testId }: { human: number; all: number; machine?: number; testId?: string }) {
  return (
    <span className="human-of-all" title={machine === undefined ? undefined : `${count(human)} by people, ${count(machine)} by machines`} data-testid={testId}>
      <span className="human-count">{count(human)}</span> <span className="muted">of {count(all)}</span>
    </span>
  );
}
