/** A small city for e2e tests (not the demo config, so tests do not depend on demo data). */
export const TEST_CITY = {
  agencies: [
    { id: 'xj-court', kind: 'court', name: '新津区人民法院' },
    { id: 'xj-proc', kind: 'procuratorate', name: '新津区人民检察院' },
    { id: 'xj-police', kind: 'police', name: '新津区公安分局' },
    { id: 'xj-justice', kind: 'justice', name: '新津区司法局' },
    { id: 'xj-gov', kind: 'government', name: '新津区人民政府' },
    { id: 'xj-market', kind: 'government', name: '新津区市场监督管理局' },
  ],
  principals: [
    { name: 'court-system', agencyId: 'xj-court', roles: ['publisher', 'viewer'], token: 'test-court-token' },
    { name: 'proc-system', agencyId: 'xj-proc', roles: ['publisher', 'viewer'], token: 'test-proc-token' },
    { name: 'police-system', agencyId: 'xj-police', roles: ['publisher', 'viewer'], token: 'test-police-token' },
    { name: 'justice-system', agencyId: 'xj-justice', roles: ['publisher'], token: 'test-justice-token' },
    { name: 'market-system', agencyId: 'xj-market', roles: ['publisher', 'viewer'], token: 'test-market-token' },
    { name: 'gov-viewer', agencyId: 'xj-gov', roles: ['viewer'], token: 'test-gov-viewer' },
    // organizer token 'test-organizer-token' given only as its SHA-256, as production configs do
    { name: 'organizer', agencyId: 'xj-justice', roles: ['organizer'], tokenSha256: '43bebbac5994f3d59f4cdf74ef3a815cdd19c6fb5177e7f3cf385eddad3b1780' },
    { name: 'auditor', agencyId: 'xj-justice', roles: ['auditor'], token: 'test-auditor-token' },
  ],
  copyNoticeRecipients: ['xj-gov'],
};
