/** Topic names (operations.md "Kafka"): one topic per agency, one for rejections. */

export const agencyTopic = (prefix: string, agencyId: string): string => `${prefix}agency.${agencyId}`;

export const rejectionsTopic = (prefix: string): string => `${prefix}rejections`;

/** the agency id of an agency topic, or null for any other topic */
export function agencyIdOfTopic(prefix: string, topic: string): string | null {
  const head = `${prefix}agency.`;
  return topic.startsWith(head) && topic.length > head.length ? topic.slice(head.length) : null;
}
