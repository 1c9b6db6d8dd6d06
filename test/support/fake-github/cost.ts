import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  getOperationAST,
  type GraphQLField,
  type GraphQLFieldMap,
  type GraphQLNamedType,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  valueFromAST,
} from 'graphql';
import type { FakeState } from './state.js';

/**
 * GitHub's published rate-limit and node-limit arithmetic for one GraphQL call
 * (docs.github.com, "Rate limits and node limits for the GraphQL API"): every connection (a field
 * taking `first`/`last` whose type is a `…Connection`) is one request for each node the connections
 * around it may return; the call's cost is the sum over 100, rounded, at least 1; its node count is,
 * for each connection, the product of the `first`s down to it, summed. Only connections count:
 * `object(oid:)`, `file(path:)` and aliases of them cost nothing by this formula, however many.
 */

/** The most nodes one call may request: GitHub refuses a call above this before running it. */
export const MAX_NODES = 500_000;

export interface CallCost {
  /** Rate-limit points: what `rateLimit { cost }` answers. */
  cost: number;
  /** What `rateLimit { nodeCount }` answers: the most nodes the call may return. */
  nodes: number;
  /** Connection requests before the division by 100. */
  requests: number;
  /** Where the node count first went over MAX_NODES: GitHub's message names the connection. */
  overLimitAt?: string;
}

function fieldsOf(type: GraphQLNamedType | undefined): GraphQLFieldMap<unknown, unknown> | undefined {
  return type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields() : undefined;
}

/** The cost of the operation a request runs (a mutation: GitHub's minimum, 1 point). */
export function callCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
): CallCost {
  const op = getOperationAST(document, operationName);
  const out: CallCost = { cost: 1, nodes: 0, requests: 0 };
  if (!op) return out;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const limitOf = (field: GraphQLField<unknown, unknown>, args: Map<string, unknown>): number | undefined => {
    if (!getNamedType(field.type).name.endsWith('Connection')) return undefined;
    const n = args.get('first') ?? args.get('last');
    return typeof n === 'number' ? n : undefined;
  };

  const walk = (set: SelectionSetNode, type: GraphQLNamedType | undefined, multiplier: number): void => {
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        const on = s.typeCondition ? schema.getType(s.typeCondition.name.value) : type;
        walk(s.selectionSet, on ?? undefined, multiplier);
      } else if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value);
        if (f) walk(f.selectionSet, schema.getType(f.typeCondition.name.value) ?? undefined, multiplier);
      } else {
        const field = fieldsOf(type)?.[s.name.value];
        if (!field || !s.selectionSet) continue;
        const args = new Map<string, unknown>();
        for (const a of s.arguments ?? []) {
          const def = field.args.find((x) => x.name === a.name.value);
          if (def) args.set(a.name.value, valueFromAST(a.value, def.type, variables));
        }
        const limit = limitOf(field, args);
        let inner = multiplier;
        if (limit !== undefined) {
          out.requests += multiplier;
          inner = multiplier * limit;
          out.nodes += inner;
          if (out.nodes > MAX_NODES && out.overLimitAt === undefined)
            out.overLimitAt = s.alias?.value ?? s.name.value;
        }
        walk(s.selectionSet, getNamedType(field.type), inner);
      }
    }
  };

  const root =
    op.operation === 'mutation'
      ? schema.getMutationType()
      : op.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  walk(op.selectionSet, root ?? undefined, 1);
  // Mutations are charged the minimum (GitHub reports no cost for them: Mutation has no rateLimit).
  out.cost = op.operation === 'query' ? Math.max(1, Math.round(out.requests / 100)) : 1;
  return out;
}

/** Charges a call's points to the token's hourly budget, starting a new hour where the last one ended. */
export function chargeRate(state: FakeState, points: number): void {
  const now = Math.floor(state.now() / 1000);
  if (now >= state.rate.resetAt) {
    state.rate.used = 0;
    state.rate.resetAt = now + 3600;
  }
  state.rate.used += points;
}
