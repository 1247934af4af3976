/** Topic names (operations.md "Kafka"): one topic per agency, one for rejections, one for notifications. */

export const agencyTopic = (prefix: string, agencyId: string): string => `${prefix}agency.${agencyId}`;

export const rejectionsTopic = (prefix: string): string => `${prefix}rejections`;


/** notifications for the agencies' own systems (operations.md "Notifications"), key = agency id */
export const notificationsTopic = (prefix: string): string => `${prefix}notifications`;
