/**
 * What the access log keeps of a GraphQL request (docs/audit.md "Access log"): the principal, the root
 * fields as asked (with their inline arguments — `case(id: "XJ-1")` is what an auditor wants to find), the
 * variables with secret-looking values removed, and how it ended. Built here, written by the plugin in
 * server.ts.
 */
import { Kind, parse, print, type DocumentNode, type FragmentDefinitionNode, type GraphQLFormattedError, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { AccessEntry, AccessLogWriter, AccessOutcome } from '../ports/accessLog.js';
import { isSecretName, REDACTED, redactVariables } from './redaction.js';
import type { Principal } from './auth.js';

export interface DescribedRequest {
  operationType: AccessEntry['operationType'];
  operationName: string | null;
  fields: string[];
  variables: Record<string, unknown> | null;
}

const MAX_FIELDS = 50;
const MAX_FIELD_TEXT = 300;
/** an anonymous caller's query is parsed for the log only up to this size */
const MAX_UNAUTHENTICATED_QUERY = 64 * 1024;

export function describeRequest(request: {
  operation: OperationDefinitionNode | null;
  document: DocumentNode | null;
  operationName: string | null;
  variables: Record<string, unknown> | null | undefined;
}): DescribedRequest {
  const operation = request.operation ?? (request.document ? pickOperation(request.document, request.operationName) : null);
  return {
    operationType: operation?.operation ?? null,
    operationName: operation?.name?.value ?? request.operationName ?? null,
    fields: operation && request.document ? rootFields(operation.selectionSet, request.document) : [],
    variables: redactVariables(request.variables),
  };
}

/** FORBIDDEN, guard refusals and malformed operations are told apart; anything else is `error` */
export function outcomeOf(errors: readonly GraphQLFormattedError[]): { outcome: AccessOutcome; errorCodes: string[] } {
  const errorCodes = [...new Set(errors.map((error) => String(error.extensions?.['code'] ?? 'INTERNAL_SERVER_ERROR')))];
  const has = (...codes: string[]): boolean => errorCodes.some((code) => codes.includes(code));
  const outcome: AccessOutcome =
    errors.length === 0
      ? 'ok'
      : has('QUERY_REFUSED')
        ? 'refused'
        : has('GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE')
          ? 'invalid'
          : has('FORBIDDEN')
            ? 'forbidden'
            : has('BAD_USER_INPUT')
              ? 'bad_input'
              : 'error';
  return { outcome, errorCodes };
}

export function accessEntry(parts: {
  principal: Principal | null;
  at: Date;
  request: DescribedRequest;
  outcome: AccessOutcome;
  errorCodes: string[];
  client: string | null;
  durationMs: number | null;
}): AccessEntry {
  return {
    at: parts.at.toISOString(),
    principal: parts.principal?.name ?? null,
    roles: [...(parts.principal?.roles ?? [])],
    agencyId: parts.principal?.agency.id ?? null,
    ...parts.request,
    outcome: parts.outcome,
    errorCodes: parts.errorCodes,
    client: parts.client,
    durationMs: parts.durationMs === null ? null : Math.round(parts.durationMs * 10) / 10,
  };
}

/** a request without a valid token, answered 401 before any operation ran */
export async function recordUnauthenticated(log: AccessLogWriter, request: { body: unknown; client: string | null; at: Date }): Promise<void> {
  const body = typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};
  const operationName = typeof body.operationName === 'string' ? body.operationName : null;
  let document: DocumentNode | null = null;
  if (typeof body.query === 'string' && body.query.length <= MAX_UNAUTHENTICATED_QUERY) {
    try {
      document = parse(body.query);
    } catch {
      /* not GraphQL: logged without fields */
    }
  }
  const variables = typeof body.variables === 'object' && body.variables !== null ? (body.variables as Record<string, unknown>) : null;
  const entry = accessEntry({
    principal: null,
    at: request.at,
    request: describeRequest({ operation: null, document, operationName, variables }),
    outcome: 'unauthenticated',
    errorCodes: ['UNAUTHENTICATED'],
    client: request.client,
    durationMs: null,
  });
  await log.record(entry).catch((error: Error) => console.error(`[访问日志] 无法记录未认证的请求：${error.message}`));
}

function pickOperation(document: DocumentNode, name: string | null): OperationDefinitionNode | null {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (name !== null) return operations.find((operation) => operation.name?.value === name) ?? null;
  return operations.length === 1 ? operations[0]! : null;
}

/** the root fields with aliases and inline arguments (secret-looking ones hidden), following fragments */
function rootFields(selectionSet: SelectionSetNode, document: DocumentNode): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const fields: string[] = [];
  const walk = (set: SelectionSetNode, visiting: ReadonlySet<string>): void => {
    for (const selection of set.selections) {
      if (fields.length >= MAX_FIELDS) return;
      if (selection.kind === Kind.FIELD) {
        const args = (selection.arguments ?? []).map((argument) => `${argument.name.value}: ${isSecretName(argument.name.value) ? JSON.stringify(REDACTED) : print(argument.value)}`);
        const text = `${selection.alias ? `${selection.alias.value}: ` : ''}${selection.name.value}${args.length > 0 ? `(${args.join(', ')})` : ''}`;
        fields.push(text.length > MAX_FIELD_TEXT ? `${text.slice(0, MAX_FIELD_TEXT)}…` : text);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, visiting);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !visiting.has(fragment.name.value)) walk(fragment.selectionSet, new Set([...visiting, fragment.name.value]));
      }
    }
  };
  walk(selectionSet, new Set());
  return fields;
}
