import DataLoader from 'dataloader';
import type { CommandHandler } from '../application/commandHandler.js';
import { GraphQLError } from 'graphql';
import type { Agency, AgencyDirectory } from '../domain/shared/agencies.js';
import type { DeadlineDeps } from '../domain/cases/deadlines.js';
import { chinaDate, type IsoDate } from '../domain/deadlines/index.js';
import type { Role } from '../ports/principals.js';
import type { AccessLogReader } from '../ports/accessLog.js';
import type { AuditReport } from '../ports/audit.js';
import type { EventStore } from '../ports/eventStore.js';
import type { ReadModelStore } from '../ports/readModelStore.js';
import type { RejectionStore } from '../ports/rejectionStore.js';
import { CASES, type CaseDoc } from '../projections/cases/cases.projection.js';
import { HANDOFF_BOARD, type HandoffBoardDoc } from '../projections/handoffBoard/handoffBoard.projection.js';
import { MEETINGS, type MeetingDoc } from '../projections/meetings/meetings.projection.js';
import { hasRole, type Principal } from './auth.js';
import type { CaseHistory } from './readSide/caseHistory.js';
import type { NotificationOutbox } from '../ports/notifications.js';
import type { CaseSearch } from '../ports/caseSearch.js';
import type { ChangeFeed } from '../ports/changeFeed.js';
import type { ParkingLot } from '../ports/parkingLot.js';

/** What resolvers may use. Filled by the composition root of the process that serves GraphQL. */
export interface GatewayServices {
  agencies: AgencyDirectory;
  /** operations.md config `city`: the population is the denominator of 万人起诉率 (AgencyScorecard.filingsPer10k) */
  city?: { readonly name?: string; readonly population?: number };
  rejections: RejectionStore;
  readModels: ReadModelStore;
  events: EventStore;
  deadlines: DeadlineDeps;
  /** application/commandHandler.ts: load → decide → append with expected revision → retry; read models caught up */
  commands: CommandHandler;
  now(): Date;
  newMeetingId(): string;
  /** auditVerify (docs/audit.md); absent where the process has no trusted key to check checkpoints with */
  audit?: { verify(options: { stream?: string }): Promise<AuditReport> };
  /** accessLog; absent where the process keeps no access log */
  accessLog?: AccessLogReader;
  /**
   * snapshots of folded case states for `case(id, asOf)` (readSide/caseHistory.ts); when absent, one is made
   * for this services object on first use, so every composition root gets it without wiring
   */
  caseHistory?: CaseHistory;
  /** the notification outbox (operations.md "Notifications"), read by organizers; absent where the process keeps none */
  notifications?: NotificationOutbox;
  /** `search(text:)` (ports/caseSearch.ts); absent where the process has no search index: the query then says so */
  caseSearch?: CaseSearch;
  /** what the projections committed, for subscriptions (resolvers/subscriptions.ts); absent: no subscriptions */
  changes?: ChangeFeed;
  /** events held while they wait for another agency's fact (events.md §5), for publishStatus; absent: none are parked here */
  parking?: Pick<ParkingLot, 'find'>;
}

export interface Loaders {
  caseDoc: DataLoader<string, CaseDoc | null>;
  meetingDoc: DataLoader<string, MeetingDoc | null>;
  /** by boardDocId: a handoff, whole (with its request papers) and with its clock (Case.handoffs, Handoff.documents) */
  boardDoc: DataLoader<string, HandoffBoardDoc | null>;
}

export interface GatewayContext {
  principal: Principal;
  services: GatewayServices;
  loaders: Loaders;
  /** today's date in China time, fixed for the whole request */
  today: IsoDate;
  /** the caller's address as the HTTP server saw it, for the access log */
  client?: string | null;
  /**
   * set by the server: whether this request's access-log entry has been written (by the access-log plugin), so
   * the server writes one itself for a request that ends where no plugin looks (gateway/server.ts)
   */
  accessLogged?: { logged: boolean };
  /**
   * Between two pieces of a long answer (gateway/turnstile.ts): goes on at once while the operation's turn has time
   * left, else after the event loop has polled I/O. Resolves at once where nothing shares out turns (tests, subscriptions).
   */
  pause(): Promise<void>;
}

const noPause = (): Promise<void> => Promise.resolve();

/**
 * Per-request batching and memoisation: a dossier with 50 agenda items is one getMany, not 50 gets, and a
 * document asked for twice in one request is read once. Nothing outlives the request (no answer cache, issue 14).
 */
export function createContext(principal: Principal, services: GatewayServices, pause: () => Promise<void> = noPause): GatewayContext {
  return {
    principal,
    services,
    pause,
    today: chinaDate(services.now().toISOString()),
    loaders: {
      caseDoc: new DataLoader((ids) => services.readModels.getMany<CaseDoc>(CASES, ids)),
      meetingDoc: new DataLoader((ids) => services.readModels.getMany<MeetingDoc>(MEETINGS, ids)),
      boardDoc: new DataLoader((ids) => services.readModels.getMany<HandoffBoardDoc>(HANDOFF_BOARD, ids)),
    },
  };
}

export const forbidden = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
export const badInput = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

/** The role check every resolver starts with. */
export function requireRole(ctx: GatewayContext, ...roles: Role[]): void {
  if (!hasRole(ctx.principal, ...roles)) {
    throw forbidden(`需要 ${roles.join(' 或 ')} 角色（当前：${ctx.principal.roles.join('、')}）`);
  }
}

export const READ_ROLES: Role[] = ['viewer', 'organizer', 'auditor'];

// what each reader may see (organizers and auditors everything, a viewer its own agency's): readSide/visibility.ts

export const agencyOf = (ctx: GatewayContext, id: string): Agency =>
  ctx.services.agencies.get(id) ?? { id, kind: 'government', name: id };
