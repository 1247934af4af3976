import { expect } from 'chai';
import { parse, type OperationDefinitionNode } from 'graphql';
import { checkGuards } from '../../../gateway/guards.js';

const check = (query: string, variables: Record<string, unknown> = {}) => {
  const doc = parse(query);
  const op = doc.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return checkGuards(doc, op, variables);
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
});
