/**
 * The Chinese wording of graphql-js' request errors: the errors are made by graphql-js itself (parse, validate and
 * variable coercion against the platform's real schema), so a graphql-js upgrade that changes its English shows up
 * here as an untranslated message.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { buildSchema, graphql, parse, validate, type GraphQLError } from 'graphql';
import { chineseGraphqlMessage } from '../../../gateway/graphqlMessages.js';

const schema = buildSchema(readFileSync(new URL('../../../gateway/schema.graphql', import.meta.url), 'utf8'));

const errorsOf = async (source: string, variableValues?: Record<string, unknown>): Promise<readonly GraphQLError[]> => {
  let document;
  try {
    document = parse(source);
  } catch (error) {
    return [error as GraphQLError];
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return invalid;
  return (await graphql({ schema, source, variableValues: variableValues ?? {} })).errors ?? [];
};

/** Chinese with names and values kept: no English sentence left (identifiers and literals may stay) */
const readsAsChinese = (text: string): boolean => /[\u4e00-\u9fff]/.test(text) && !/\b(?:Cannot|Expected|Unknown|must|required|provided|found|invalid|Field|Variable)\b/.test(text);

describe('graphql-js request errors in Chinese', () => {
  const cases: [string, string, Record<string, unknown>?, RegExp?][] = [
    ['a field the type lacks', '{ agencies { id nmae } }', undefined, /类型 Agency 没有字段 nmae；是否想写 "name"？/],
    ['a syntax error', '{ agencies { id }', undefined, /^查询语法错误：此处应为 Name，实际为 查询结尾$/],
    ['an unknown argument', '{ agencies(kindd: "court") { id } }', undefined, /没有参数 kindd/],
    ['a missing required argument', '{ case { id } }', undefined, /缺少必填参数 id（类型 ID!）/],
    ['an object without a selection', '{ agencies }', undefined, /须列出要取的子字段/],
    ['a scalar with a selection', '{ agencies { id { x } } }', undefined, /没有子字段/],
    ['a required variable not given', 'query ($id: ID!) { case(id: $id) { id } }', {}, /缺少必填变量 \$id（类型 ID!）/],
    ['a variable of the wrong type', 'query ($first: Int) { cases(first: $first) { totalCount } }', { first: 'many' }, /变量 \$first 的值 "many" 无效：Int 类型不能表示/],
    ['an unused variable', 'query ($x: Int) { agencies { id } }', undefined, /变量 \$x 已声明但未使用/],
    ['an unknown type', 'query ($x: Nope) { agencies { id } }', undefined, /未知类型 Nope/],
  ];
  for (const [what, source, variables, expected] of cases) {
    it(`${what}: ${source}`, async () => {
      const errors = await errorsOf(source, variables);
      expect(errors.length, 'graphql-js refuses it').to.be.greaterThan(0);
      for (const error of errors) {
        const chinese = chineseGraphqlMessage(error.message);
        expect(chinese, `untranslated: ${error.message}`).to.be.a('string');
        expect(readsAsChinese(chinese!), `${error.message} → ${chinese}`).to.equal(true);
      }
      if (expected) expect(errors.map((e) => chineseGraphqlMessage(e.message)).join('\n')).to.match(expected);
    });
  }

  it('leaves a message it does not know as it is (null), rather than guess', () => {
    expect(chineseGraphqlMessage('Something graphql-js may say one day.')).to.equal(null);
  });
});
