/**
 * The liaison meetings the dossier query reads, made the way an organizer makes them (GraphQL mutations on
 * the running program): last quarter's meeting, held, with resolutions and action items still open — they
 * carry over — and next week's meeting with twenty cases on its agenda.
 */
import { graphql } from './http.js';

const DAY = 86_400_000;

async function mutate(base: string, token: string, query: string, variables: Record<string, unknown>): Promise<Record<string, any>> {
  const answer = await graphql(base, token, query, variables);
  if (answer.errors?.length || !answer.data) throw new Error(`mutation failed: ${answer.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
  return answer.data;
}

const SCHEDULE = `mutation ($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { id } }`;
const NOMINATE = `mutation ($m: ID!, $c: ID!) { nominateCase(meetingId: $m, caseId: $c, reason: "manual") { id } }`;
const HELD = `mutation ($m: ID!, $a: [ID!]!) { recordMeetingHeld(meetingId: $m, attendees: $a) { id } }`;
const RESOLUTION = `mutation ($m: ID!, $c: ID!, $t: String!) { recordResolution(meetingId: $m, caseId: $c, text: $t) { id } }`;
const ASSIGN = `mutation ($input: AssignActionItemInput!) { assignActionItem(input: $input) { id } }`;

/** returns the id of the upcoming meeting (the dossier to open) */
export async function createMeetings(base: string, organizerToken: string, agencyIds: readonly string[], caseIds: readonly string[], now: Date): Promise<{ upcoming: string; previous: string }> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const date = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
  const previous = (await mutate(base, organizerToken, SCHEDULE, { input: { title: '府院联动推进会（上季度）', scheduledAt: iso(now.getTime() - 60 * DAY), participants: agencyIds } })).scheduleMeeting.id as string;
  const earlier = caseIds.slice(0, 10);
  for (const c of earlier) await mutate(base, organizerToken, NOMINATE, { m: previous, c });
  await mutate(base, organizerToken, HELD, { m: previous, a: agencyIds });
  for (const c of earlier.slice(0, 5)) await mutate(base, organizerToken, RESOLUTION, { m: previous, c, t: '请相关单位于下次推进会前报告办理进展。' });
  for (const [i, c] of earlier.slice(0, 6).entries()) {
    await mutate(base, organizerToken, ASSIGN, {
      input: { meetingId: previous, caseId: c, text: '限期完成移送材料补正并报告', owner: agencyIds[(i + 4) % agencyIds.length], dueDate: date(now.getTime() - 30 * DAY) },
    });
  }
  const upcoming = (await mutate(base, organizerToken, SCHEDULE, { input: { title: '府院联动推进会（本季度）', scheduledAt: iso(now.getTime() + 7 * DAY), participants: agencyIds } })).scheduleMeeting.id as string;
  for (const c of caseIds.slice(10, 30)) await mutate(base, organizerToken, NOMINATE, { m: upcoming, c });
  return { upcoming, previous };
}
