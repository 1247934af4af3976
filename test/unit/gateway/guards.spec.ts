import { expect } from 'chai';
import { getIntrospectionQuery, parse, type OperationDefinitionNode } from 'graphql';
import { checkGuards, DEFAULT_GUARD_LIMITS } from '../../../gateway/guards.js';

const check = (query: string, variables: Record<string, unknown> = {}, introspection = false) => {
  const doc = parse(query);
  const op = doc.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return checkGuards(doc, op, variables, DEFAULT_GUARD_LIMITS, { introspection });
};
const nest = (levels: number) => `{ ${'a { '.repeat(levels)}x${' }'.repeat(levels)} }`;

describe('GraphQL guards', () => {
  it('allows depth 10 and refuses depth 11, also through fragments', () => {
    expect(check(nest(10))).to.equal(null);
    expect(check(nest(11))).to.contain('深度');
    expect(check(`query { a { ...F } } fragment F on T { ${'b { '.repeat(10)}x${' }'.repeat(10)} }`)).to.contain('深度');
  });
  it('allows 30 aliases and refuses 31', () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: x`).join(' ')} }`;
    expect(check(aliases(30))).to.equal(null);
    expect(check(aliases(31))).to.contain('别名');
  });
  it('refuses first > 500 inline or through a variable', () => {
    expect(check('{ handoffs(first: 500) { totalCount } }')).to.equal(null);
    expect(check('{ handoffs(first: 501) { totalCount } }')).to.contain('500');
    expect(check('query($n: Int) { handoffs(first: $n) { totalCount } }', { n: 1000 })).to.contain('500');
  });
  it('lets the standard introspection query through when introspection is on, not when it is off', () => {
    for (const query of [getIntrospectionQuery(), getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true })]) {
      expect(check(query, {}, true)).to.equal(null);
      expect(check(query, {}, false)).to.contain('深度');
    }
    // through a root fragment as well
    expect(check(`{ ...Root } fragment Root on Query { __type(name: "Case") { ${'ofType { '.repeat(12)}name${' }'.repeat(12)} } }`, {}, true)).to.equal(null);
  });
  it('still bounds introspection and everything beside it', () => {
    expect(check(`{ __type(name: "Case") { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } }`, {}, true)).to.contain('内省');
    expect(check(`{ __schema { queryType { name } } ${nest(11).slice(1, -1)} }`, {}, true)).to.contain('深度 11');
    expect(check(`{ a { __schema { ${'b { '.repeat(10)}x${' }'.repeat(10)} } } }`, {}, true)).to.contain('深度');
  });
});
