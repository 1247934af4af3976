import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { canonicalJson } from '../../../ports/canonicalJson.js';
import { canonicalEventText, eventHash, eventHashFromCanonical, type ChainedEvent } from '../../../infra/eventStore/eventHash.js';
import { merkleRoot } from '../../../infra/audit/merkle.js';

describe('canonical JSON (RFC 8785)', () => {
  it('sorts members by UTF-16 code units, recursively, with no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, '': true })).to.equal('{"":true,"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    // RFC 8785 §3.2.3's sorting example (keys compared as UTF-16 code units: the emoji's surrogates sort before U+FB33)
    const keys = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect(canonicalJson(keys)).to.equal(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('writes numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [1e21, '1e+21'],
      [1e-7, '1e-7'],
      [123456789012345680000, '123456789012345680000'],
      [0.000001, '0.000001'],
      [4.5, '4.5'],
      [2e-3, '0.002'],
      [9007199254740992, '9007199254740992'],
      [-1.7976931348623157e308, '-1.7976931348623157e+308'],
      [5e-324, '5e-324'],
    ];
    for (const [value, text] of cases) expect(canonicalJson(value), String(value)).to.equal(text);
  });

  it('escapes strings as JSON.stringify does and leaves Chinese text as it is', () => {
    expect(canonicalJson('移送\u0000"\\\n\u001f/\u2028€')).to.equal('"移送\\u0000\\"\\\\\\n\\u001f/\u2028€"');
    expect(canonicalJson('lone \ud800 half')).to.equal('"lone \\ud800 half"');
  });

  it('gives what the store keeps the same form: canonical(x) = canonical(JSON.parse(JSON.stringify(x)))', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).to.equal(canonicalJson(JSON.parse(JSON.stringify(value))));
      }),
      { numRuns: 500 },
    );
    const odd = { when: new Date('2024-09-10T01:00:00.000Z'), skipped: undefined, list: [undefined, () => 1, NaN, Infinity] };
    expect(canonicalJson(odd)).to.equal(canonicalJson(JSON.parse(JSON.stringify(odd))));
    expect(canonicalJson(odd)).to.equal('{"list":[null,null,null,null],"when":"2024-09-10T01:00:00.000Z"}');
    expect(() => canonicalJson({ n: 1n })).to.throw(TypeError);
  });

  it('writes an array of scalars as it writes the same scalars beside an object, element by element', () => {
    // a trailing {} keeps the array off the scalars-only path: both must give the same text for the same scalars
    const scalar = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e21, 5e-324, true, false, null, undefined),
      fc.constant(() => 1),
      fc.constant(Symbol('s')),
    );
    fc.assert(
      fc.property(fc.array(scalar, { maxLength: 12 }), (scalars) => {
        const whole = canonicalJson(scalars);
        const beside = canonicalJson([...scalars, {}]);
        expect(beside).to.equal(`${whole.slice(0, -1)}${scalars.length === 0 ? '' : ','}{}]`);
      }),
      { numRuns: 1000 },
    );
    // holes are null, a function is null whatever toJSON it carries, and a bigint is refused in the canonical form's words
    expect(canonicalJson([1, , 3])).to.equal('[1,null,3]');
    expect(canonicalJson(['a', Object.assign(() => 1, { toJSON: () => 'x' })])).to.equal('["a",null]');
    expect(() => canonicalJson([1, 2n])).to.throw(TypeError, /canonicalJson/);
  });
});

describe('event hash', () => {
  const event: ChainedEvent = {
    streamId: 'case-XJ-1',
    revision: 2,
    type: 'handoff.requested',
    data: { to: 'xj-procuratorate', handoffId: 'h1', purpose: 'review_prosecution', note: '移送材料' },
    metadata: { source: 'xj-police', eventId: 'evt-7', principal: 'police-system', channel: 'http', time: '2024-09-10T09:00:00+08:00', subject: 'XJ-1' },
    recordedAt: '2024-09-10T01:00:00.123Z',
    prevHash: 'a'.repeat(64),
  };

  it('is SHA-256 over the canonical JSON of the chained fields, with time taken from the metadata', () => {
    const expected = canonicalJson({
      streamId: event.streamId,
      revision: event.revision,
      type: event.type,
      time: event.metadata.time,
      recordedAt: event.recordedAt,
      data: event.data,
      metadata: event.metadata,
      prevHash: event.prevHash,
    });
    expect(canonicalEventText(event)).to.equal(expected);
    expect(eventHash(event)).to.equal(createHash('sha256').update(expected, 'utf8').digest('hex'));
    expect(canonicalEventText({ ...event, revision: 0, prevHash: null })).to.contain('"prevHash":null');
  });

  it('is the documented value for the worked example in docs/audit.md', () => {
    expect(canonicalEventText(event)).to.equal(
      '{"data":{"handoffId":"h1","note":"移送材料","purpose":"review_prosecution","to":"xj-procuratorate"},' +
        '"metadata":{"channel":"http","eventId":"evt-7","principal":"police-system","source":"xj-police","subject":"XJ-1","time":"2024-09-10T09:00:00+08:00"},' +
        `"prevHash":"${'a'.repeat(64)}","recordedAt":"2024-09-10T01:00:00.123Z","revision":2,"streamId":"case-XJ-1","time":"2024-09-10T09:00:00+08:00","type":"handoff.requested"}`,
    );
    expect(eventHash(event)).to.equal(WORKED_EXAMPLE_HASH);
  });

  it('from pre-canonicalized parts equals the hash of the event', () => {
    const { data, metadata, ...rest } = event;
    expect(eventHashFromCanonical(canonicalJson(data), canonicalJson(metadata), { ...rest, time: metadata.time })).to.equal(eventHash(event));
  });

  it('changes with every field and with key order not at all', () => {
    const base = eventHash(event);
    const variants: ChainedEvent[] = [
      { ...event, streamId: 'case-XJ-2' },
      { ...event, revision: 3 },
      { ...event, type: 'handoff.received' },
      { ...event, data: { ...event.data, note: '移送材料 ' } },
      { ...event, metadata: { ...event.metadata, principal: 'someone-else' } },
      { ...event, metadata: { ...event.metadata, time: '2024-09-10T09:00:01+08:00' } },
      { ...event, recordedAt: '2024-09-10T01:00:00.124Z' },
      { ...event, prevHash: 'b'.repeat(64) },
      { ...event, prevHash: null },
    ];
    for (const variant of variants) expect(eventHash(variant)).to.not.equal(base);
    const reordered = { ...event, data: Object.fromEntries(Object.entries(event.data).reverse()) };
    expect(eventHash(reordered)).to.equal(base);
  });
});

/** the worked example's hash, as docs/audit.md states it */
const WORKED_EXAMPLE_HASH = 'ef998a01685be7f28d817f68712a0087be304abe38efb8e79e1ef71e357ec2d2';

describe('Merkle tree hash (RFC 6962)', () => {
  // the test vectors of Certificate Transparency's merkle_tree_test (leaf inputs as hex)
  const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((hex) => Buffer.from(hex, 'hex'));
  const roots = [
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];

  it('matches the published roots for 0 to 8 leaves', () => {
    for (let count = 0; count <= 8; count++) expect(merkleRoot(leaves.slice(0, count)).toString('hex'), `${count} leaves`).to.equal(roots[count]);
  });

  it('equals the recursive definition for any number of leaves', () => {
    const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
    const mth = (items: Buffer[]): Buffer => {
      if (items.length === 0) return sha();
      if (items.length === 1) return sha(Buffer.from([0]), items[0]!);
      let k = 1;
      while (k * 2 < items.length) k *= 2;
      return sha(Buffer.from([1]), mth(items.slice(0, k)), mth(items.slice(k)));
    };
    for (let count = 0; count <= 70; count++) {
      const items = Array.from({ length: count }, (_, index) => Buffer.from(`leaf-${index}`));
      expect(merkleRoot(items).toString('hex'), `${count} leaves`).to.equal(mth(items).toString('hex'));
    }
  });
});
