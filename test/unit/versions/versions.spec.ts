/**
 * The version table and upcasters of domain/catalog/versions.ts, and the read door ports/currentShape.ts.
 */
import { expect } from 'chai';
import {
  CATALOG_TYPES,
  currentVersion,
  dataSchemaOf,
  dataschemaProblem,
  parseDataschema,
  publishedVersion,
  schemaProblem,
  storedVersion,
  upcast,
  upcastStored,
  versionsOf,
} from '../../../domain/catalog/index.js';
import { currentShape } from '../../../ports/currentShape.js';
import type { RecordedEvent } from '../../../ports/eventStore.js';

const revision1Extension = { handoffId: 'h1', days: 15, approvedBy: '检察长' };

describe('event versions (events.md §2)', () => {
  describe('the version table', () => {
    it('has handoff.extended at version 2 and every other catalog type at version 1', () => {
      const changed = CATALOG_TYPES.filter((t) => currentVersion(t) !== 1);
      expect(changed).to.deep.equal(['handoff.extended']);
      expect(currentVersion('handoff.extended')).to.equal(2);
      expect(versionsOf('handoff.extended')).to.deep.equal([1, 2]);
      expect(versionsOf('case.registered')).to.deep.equal([1]);
    });

    it('keeps version 1 of handoff.extended as revision 1 published it: days 1–30, required, no ground', () => {
      const v1 = dataSchemaOf('handoff.extended', 1)!;
      expect(schemaProblem(v1, revision1Extension)).to.equal(null);
      expect(schemaProblem(v1, { ...revision1Extension, days: 31 })).to.be.a('string');
      expect(schemaProblem(v1, { handoffId: 'h1', approvedBy: '检察长' })).to.be.a('string');
      expect(schemaProblem(v1, { ...revision1Extension, ground: 'major_complex' })).to.be.a('string');
    });

    it('has no schema for a version the catalog never had', () => {
      expect(dataSchemaOf('handoff.extended', 3)).to.equal(undefined);
      expect(dataSchemaOf('case.registered', 2)).to.equal(undefined);
      expect(dataSchemaOf('case.registered', 0)).to.equal(undefined);
    });
  });

  describe('dataschema on a published event', () => {
    it('reads urn:liandong:<type>:<version>', () => {
      expect(parseDataschema('urn:liandong:handoff.extended:1')).to.deep.equal({ type: 'handoff.extended', version: 1 });
      expect(parseDataschema('urn:liandong:handoff.extended:01')).to.equal(null);
      expect(parseDataschema('urn:liandong:handoff.extended')).to.equal(null);
      expect(parseDataschema('https://liandong.example/schemas/handoff.extended/1')).to.equal(null);
    });

    it('is an envelope problem when it is not a string, not our URN, or names another type', () => {
      expect(dataschemaProblem('handoff.extended', undefined)).to.equal(null);
      expect(dataschemaProblem('handoff.extended', 'urn:liandong:handoff.extended:7')).to.equal(null); // the form is fine; the version is checked with the data
      expect(dataschemaProblem('handoff.extended', 1)).to.match(/字符串/);
      expect(dataschemaProblem('handoff.extended', 'urn:liandong:handoff.extended:v1')).to.match(/格式不正确/);
      expect(dataschemaProblem('handoff.extended', 'urn:liandong:handoff.requested:1')).to.match(/handoff\.requested.*不一致/);
    });

    it('absent means the latest version; a version the catalog lacks is invalid_data', () => {
      expect(publishedVersion('handoff.extended', undefined)).to.deep.equal({ ok: true, version: 2 });
      expect(publishedVersion('handoff.extended', 'urn:liandong:handoff.extended:1')).to.deep.equal({ ok: true, version: 1 });
      expect(publishedVersion('case.registered', undefined)).to.deep.equal({ ok: true, version: 1 });
      const v3 = publishedVersion('handoff.extended', 'urn:liandong:handoff.extended:3');
      expect(v3).to.deep.include({ ok: false, code: 'invalid_data' });
      expect((v3 as { message: string }).message).to.include('现有：1、2');
      expect(publishedVersion('case.registered', 'urn:liandong:case.registered:2')).to.deep.include({ ok: false, code: 'invalid_data' });
      expect(publishedVersion('case.registered', 'urn:liandong:case.closed:1')).to.deep.include({ ok: false, code: 'invalid_envelope' });
    });
  });

  describe('stored events', () => {
    it('are version 1 without a dataschema (stored before revision 2), else the version it names', () => {
      expect(storedVersion(undefined)).to.equal(1);
      expect(storedVersion('urn:liandong:handoff.extended:2')).to.equal(2);
      expect(storedVersion('urn:liandong:handoff.extended:1')).to.equal(1);
    });

    it('upcast a version-1 extension to the current shape with its days and nothing else', () => {
      const stored = { ...revision1Extension, note: 'not in version 1' };
      expect(upcastStored('handoff.extended', undefined, stored)).to.deep.equal(revision1Extension);
      expect(upcast('handoff.extended', 1, revision1Extension)).to.deep.equal(revision1Extension);
    });

    it('leave current versions, other types and the platform’s own events untouched (the same object)', () => {
      const v2 = { handoffId: 'h1', ground: 'major_complex', approvedBy: '检察长' };
      expect(upcastStored('handoff.extended', 'urn:liandong:handoff.extended:2', v2)).to.equal(v2);
      const registered = { kind: 'civil_dispute' };
      expect(upcastStored('case.registered', undefined, registered)).to.equal(registered);
      const notice = { noticeId: 'C-1/reconsideration' };
      expect(upcastStored('notice.issued', undefined, notice)).to.equal(notice);
    });
  });

  describe('currentShape (the read door)', () => {
    const recorded = (type: string, data: Record<string, unknown>, dataschema?: string): RecordedEvent => ({
      streamId: 'case-C-1',
      revision: 3,
      position: 9n,
      type,
      data,
      metadata: { source: 'yl-proc', eventId: 'e9', principal: null, channel: 'http', time: '2026-09-25T16:00:00+08:00', ...(dataschema ? { dataschema } : {}) },
      recordedAt: '2026-09-25T08:01:00Z',
      idempotencyKey: 'yl-proc/e9',
      hash: 'h',
      prevHash: 'p',
    });

    it('hands an event already in the current shape through as the same object', () => {
      const e = recorded('handoff.extended', { handoffId: 'h1', ground: 'major_complex', approvedBy: '检察长' }, 'urn:liandong:handoff.extended:2');
      expect(currentShape(e)).to.equal(e);
    });

    it('upcasts an older version and keeps everything else of the stored event, hash included', () => {
      const e = recorded('handoff.extended', { ...revision1Extension, stray: true });
      const read = currentShape(e);
      expect(read).to.not.equal(e);
      expect(read.data).to.deep.equal(revision1Extension);
      expect({ ...read, data: null }).to.deep.equal({ ...e, data: null });
    });
  });
});
