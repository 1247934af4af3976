/**
 * A fact as the domain sees it. Stored `type` is the catalog type code (events.md §3) for published
 * facts, or the platform's own type (e.g. `notice.issued`, `meeting.scheduled`) for policy events and
 * organizer mutations. Stored `data` of a published fact is the published `data` object, unchanged.
 */
export interface DomainEvent<T extends string = string, D = Record<string, unknown>> {
  readonly type: T;
  readonly data: D;
  /** RFC 3339 with offset: when it happened (the CloudEvent `time`, or the mutation time). */
  readonly time: string;
  /** Agency that published it; null for the platform's own events (copy notices). */
  readonly source: string | null;
}

/** Stream ids (events.md §2). */
export const caseStream = (caseId: string): string => `case-${caseId}`;
export const meetingStream = (meetingId: string): string => `meeting-${meetingId}`;
export const SUBJECT_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
