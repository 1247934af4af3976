import { expect } from 'chai';
import type { Decider } from '../../../../domain/shared/decider.js';
import { fold } from '../../../../domain/shared/decider.js';
import { DomainError, type RejectionCode } from '../../../../domain/shared/errors.js';

/** A command, or a thunk building one (so a command whose construction is refused counts as the rejection). */
export type CommandInput<C> = C | (() => C);

/** given(events).when(command).then(events) / .thenRejects(code) — for any decider (style.md §7). */
export const deciderSpec = <C, E, S>(decider: Decider<C, E, S>) => ({
  given(events: readonly E[]) {
    return {
      when(command: CommandInput<C>) {
        const run = (): E[] => {
          const state = fold(decider, events);
          const c = typeof command === 'function' ? (command as () => C)() : command;
          return decider.decide(c, state);
        };
        return {
          /** the decision equals these events */
          then(expected: readonly E[]): E[] {
            const produced = run();
            expect(produced).to.deep.equal(expected);
            return produced;
          },
          /** the decision is refused with this rejection code (and, optionally, a message matching) */
          thenRejects(code: RejectionCode, message?: RegExp): DomainError {
            let produced: E[];
            try {
              produced = run();
            } catch (error) {
              expect(error, String(error)).to.be.instanceOf(DomainError);
              const domainError = error as DomainError;
              expect(domainError.code, domainError.message).to.equal(code);
              expect(domainError.message).to.match(/[\u4e00-\u9fff]/, 'messages are Chinese');
              if (message) expect(domainError.message).to.match(message);
              return domainError;
            }
            return expect.fail(`expected rejection ${code}, got events ${JSON.stringify(produced)}`);
          },
          /** the state after the given events and the decision's events */
          thenState(): S {
            return fold(decider, [...events, ...run()]);
          },
        };
      },
    };
  },
});
