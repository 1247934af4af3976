import { expect } from 'chai';
import { addDays, addWorkingDays, lastDueWithinWorkingDays, workingDaysLeft } from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';

// graphql.md Clock.daysLeft and clocks(dueWithinDays): working days from today to the due date.

describe('working days left (Clock.daysLeft) and the last date due within n working days', () => {
  const calendar = chineseDaysCalendar();

  it('counts through National Day 2024: 09-27 (Fri) to the copy notice due 10-10 is 5 working days (09-29 is a make-up workday)', () => {
    expect(workingDaysLeft('2024-09-27', '2024-10-10', calendar)).to.equal(5);
    expect(workingDaysLeft('2024-09-30', '2024-10-08', calendar), 'the holiday week counts nothing').to.equal(1);
  });

  it('0 when due today, and on the rest days before the next working day; negative, at least -1, once overdue', () => {
    expect(workingDaysLeft('2024-10-10', '2024-10-10', calendar)).to.equal(0);
    expect(workingDaysLeft('2024-10-18', '2024-10-20', calendar), 'due on the Sunday after a Friday').to.equal(0);
    expect(workingDaysLeft('2024-10-11', '2024-10-10', calendar)).to.equal(-1);
    expect(workingDaysLeft('2024-10-06', '2024-09-30', calendar), 'overdue through rest days only').to.equal(-1);
    expect(workingDaysLeft('2024-10-09', '2024-09-30', calendar)).to.equal(-2);
  });

  it('a due date is within n working days exactly when its daysLeft is between 0 and n', () => {
    for (let today = '2024-09-20'; today <= '2024-10-20'; today = addDays(today, 1)) {
      for (const n of [0, 1, 3, 5]) {
        const last = lastDueWithinWorkingDays(today, n, calendar);
        for (let due = today; due <= addWorkingDays(today, n + 2, calendar); due = addDays(due, 1)) {
          expect(due <= last, `${today} n=${n} due ${due}`).to.equal(workingDaysLeft(today, due, calendar) <= n);
        }
      }
    }
  });
});
