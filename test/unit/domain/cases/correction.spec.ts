import { expect } from 'chai';
import { caseDecider, foldCase, openAbscondment } from '../../../../domain/catalog/index.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import { CASE_ID, at, closed, criminalRegistered, ev, handoffRequested, published } from '../support/fixtures.js';

const { given } = deciderSpec(caseDecider);

// 社区矫正 (revision 2): 脱管 and found again
const sentenced = ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'convicted', communityCorrection: true, effectiveAt: '2024-09-20' }, at('2024-09-05'));
const delivered = handoffRequested('ly-court', 'ly-justice', 'community_correction', 'h1', at('2024-09-21'));
const reported = ev('ly-justice', 'correction.reported', {}, at('2024-09-25'));
const absconded = (time = at('2024-11-04'), note = '连续三日电话无法联系，居住地查无此人') => ev('ly-justice', 'correction.absconded', { note }, time);
const located = (time = at('2024-11-20')) => ev('ly-justice', 'correction.located', { note: '经公安机关协助查找到，已予训诫' }, time);
const REPORTED = [criminalRegistered, sentenced, delivered, reported];

describe('case stream: community correction 脱管 (correction.absconded / correction.located)', () => {
  describe('given a person who has not reported yet', () => {
    it('rejects a report of absconding: an unreported person is 漏管, not 脱管', () => {
      given([criminalRegistered, sentenced, delivered]).when(published(absconded())).thenRejects('invalid_transition', /尚未报到/);
    });
  });

  describe('given a person who reported', () => {
    it('accepts the report that the person is out of contact', () => {
      given(REPORTED).when(published(absconded())).then([absconded()]);
    });

    it('accepts it without a note', () => {
      const bare = ev('ly-justice', 'correction.absconded', {}, at('2024-11-04'));
      given(REPORTED).when(published(bare)).then([bare]);
    });

    it('accepts it after the criminal case was closed (supervision runs on)', () => {
      given([...REPORTED, closed('ly-police')]).when(published(absconded())).then([absconded()]);
    });

    it('rejects a report of being located when nobody absconded', () => {
      given(REPORTED).when(published(located())).thenRejects('invalid_transition', /没有处于脱管状态/);
    });

    it('rejects a court publishing it (justice only)', () => {
      given(REPORTED).when(published(ev('ly-court', 'correction.absconded', {}, at('2024-11-04')))).thenRejects('unauthorized');
    });

    it('rejects an unknown field', () => {
      given(REPORTED).when(published(ev('ly-justice', 'correction.absconded', { reason: 'x' }, at('2024-11-04')))).thenRejects('invalid_data');
    });
  });

  describe('given an absconded person', () => {
    const ABSCONDED = [...REPORTED, absconded()];

    it('records the abscondment as open', () => {
      const state = foldCase(CASE_ID, ABSCONDED);
      if (state.status === 'none') throw new Error('no case');
      expect(openAbscondment(state)).to.deep.equal({ abscondedAt: at('2024-11-04'), note: '连续三日电话无法联系，居住地查无此人', locatedAt: null, locatedNote: null });
    });

    it('rejects a second report of absconding', () => {
      given(ABSCONDED).when(published(absconded(at('2024-11-05')))).thenRejects('invalid_transition', /不能重复报告/);
    });

    it('accepts the report that the person was located', () => {
      given(ABSCONDED).when(published(located())).then([located()]);
    });
  });

  describe('given a person located again', () => {
    const LOCATED = [...REPORTED, absconded(), located()];

    it('is no longer absconded, and the history keeps the episode', () => {
      const state = foldCase(CASE_ID, LOCATED);
      if (state.status === 'none') throw new Error('no case');
      expect(openAbscondment(state)).to.equal(null);
      expect(state.correctionAbscondments).to.have.length(1);
      expect(state.correctionAbscondments[0]).to.include({ locatedAt: at('2024-11-20') });
    });

    it('rejects a second report of being located', () => {
      given(LOCATED).when(published(located(at('2024-11-21')))).thenRejects('invalid_transition');
    });

    it('accepts absconding again', () => {
      given(LOCATED).when(published(absconded(at('2025-01-06')))).then([absconded(at('2025-01-06'))]);
    });
  });
});
