/** Topic names (operations.md "Kafka"): one topic per agency, one for rejections. */

export const agencyTopic = (prefix: string, agencyId: string): string => `${prefix}agency.${agencyId}`;

export const rejectionsTopic = (prefix: string): string => `${prefix}rejections`;

