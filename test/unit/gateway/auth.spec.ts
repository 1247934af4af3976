import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { createAuthenticator } from '../../../gateway/auth.js';
import type { Agency } from '../../../domain/shared/agencies.js';

const agencies = new Map<string, Agency>([
  ['ly-court', { id: 'ly-court', kind: 'court', name: '法院' }],
  ['ly-justice', { id: 'ly-justice', kind: 'justice', name: '司法局' }],
]);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const authenticate = createAuthenticator(
  [
    { name: 'court-system', agencyId: 'ly-court', roles: ['publisher'], token: 'plain-token-1' },
    { name: 'organizer', agencyId: 'ly-justice', roles: ['organizer', 'viewer'], tokenSha256: sha('hashed-token-2') },
  ],
  agencies,
);

describe('bearer authentication', () => {
  it('resolves a plain token and a tokenSha256 principal to their agency and roles', () => {
    expect(authenticate('Bearer plain-token-1')).to.deep.include({ name: 'court-system', roles: ['publisher'] });
    expect(authenticate('bearer hashed-token-2')?.agency.id).to.equal('ly-justice');
  });
  it('refuses a missing header, another scheme, an unknown token and the digest itself', () => {
    expect(authenticate(undefined)).to.equal(null);
    expect(authenticate('Basic plain-token-1')).to.equal(null);
    expect(authenticate('Bearer plain-token-')).to.equal(null);
    expect(authenticate(`Bearer ${sha('hashed-token-2')}`)).to.equal(null);
  });
});
