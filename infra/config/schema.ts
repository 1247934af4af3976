import { z } from 'zod';
import { isIsoDate } from '../../domain/deadlines/dates.js';
import { AGENCY_ID_PATTERN, AGENCY_KINDS, AGENCY_LEVELS } from '../../domain/shared/agencies.js';
import { ROLES } from '../../ports/principals.js';

/** The config file of operations.md "Config file", plus the calendar years operators may add. */

/** concurrent HTTP connections per process unless configured (docs/decisions.md "Limits before work") */
export const DEFAULT_MAX_CONNECTIONS = 1024;
const YEAR_MESSAGE = '年份应为 2000–2100 之间的四位数字，如 "2027"';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD').refine(isIsoDate, '不是日历上的日期（YYYY-MM-DD），请核对月份与日');

const agency = z.object({
  id: z.string().regex(AGENCY_ID_PATTERN, '机构 id 只能是 2–64 位小写字母、数字或连字符'),
  kind: z.enum(AGENCY_KINDS, { message: `机构类型只能是 ${AGENCY_KINDS.join(' / ')}` }),
  name: z.string().min(1, '机构名称不能为空'),
  // events.md §1 (revision 2): city (default) / district / township, the unit's parent, a government agency's 上一级主管部门
  level: z.enum(AGENCY_LEVELS, { message: `机构层级只能是 ${AGENCY_LEVELS.join(' / ')}` }).optional(),
  parentId: z.string().optional(),
  supervisorId: z.string().optional(),
});

const principal = z
  .object({
    name: z.string().min(1),
    agencyId: z.string(),
    roles: z.array(z.enum(ROLES, { message: `角色只能是 ${ROLES.join(' / ')}` })).min(1, '至少要有一个角色'),
    token: z.string().min(8, 'token 至少 8 个字符').optional(),
    tokenSha256: z.string().regex(/^[0-9a-f]{64}$/i, 'tokenSha256 应为 64 位十六进制').optional(),
  })
  .strict()
  .refine((p) => (p.token === undefined) !== (p.tokenSha256 === undefined), { message: '每个 principal 必须且只能有 token 或 tokenSha256 之一' });

export const configSchema = z
  .object({
    agencies: z.array(agency).min(1, '至少配置一个机构'),
    principals: z.array(principal).default([]),
    copyNoticeRecipients: z.array(z.string()).default([]),
    /** operations.md: the city; `population` is the denominator of 万人起诉率 (AgencyScorecard.filingsPer10k) */
    city: z
      .object({
        name: z.string().min(1, '城市名称不能为空').optional(),
        population: z.number().int('city.population 应为整数').positive('city.population 应为正整数').optional(),
      })
      .strict()
      .default({}),
    deadlines: z
      .object({
        privateEnterpriseFastTrack: z.boolean().default(true),
        privateEnterpriseReconsiderationDays: z.number().int().min(1).max(60).default(30),
        noticeAckWorkingDays: z.number().int().min(1).max(60).default(5),
        informationNoticeWorkingDays: z.number().int().min(1).max(60).default(5),
        disputeReferralDays: z.number().int().min(1).max(90).default(15),
        disputeFilingWorkingDays: z.number().int().min(1).max(60).default(5),
      })
      .strict()
      .default({ privateEnterpriseFastTrack: true, privateEnterpriseReconsiderationDays: 30, noticeAckWorkingDays: 5, informationNoticeWorkingDays: 5, disputeReferralDays: 15, disputeFilingWorkingDays: 5 }),
    graphql: z
      .object({
        introspection: z.boolean().default(true),
        graphiql: z.boolean().default(true),
        /**
         * Retired (issue 14): the whole-answer cache is gone, every request reads the read models. Released
         * configs carry the key, so it is still accepted — and ignored, with one warning at startup
         * (configWarnings in loadConfig.ts).
         */
        answerCacheMiB: z.number().int().min(0).max(4096).optional(),
      })
      .strict()
      .default({ introspection: true, graphiql: true }),
    /** the HTTP server of every process (issue 13 "limits before work"); LIANDONG_MAX_CONNECTIONS overrides it */
    http: z
      .object({
        /** connections open at once; beyond it new ones are closed at once (node's server.maxConnections) */
        maxConnections: z.number().int().min(1, 'http.maxConnections 至少为 1').max(1_000_000, 'http.maxConnections 最多 1000000').default(DEFAULT_MAX_CONNECTIONS),
      })
      .strict()
      .default({ maxConnections: DEFAULT_MAX_CONNECTIONS }),
    /** audit (docs/audit.md): the checkpoint signing key, how often to seal, how long to keep the access log */
    audit: z
      .object({
        /** PEM PKCS#8 Ed25519 private key, relative to the config file; embedded mode generates one in the data dir without it */
        signingKeyFile: z.string().min(1).optional(),
        checkpointIntervalSeconds: z.number().int().min(10, '检查点间隔至少 10 秒').max(86_400, '检查点间隔最多一天（86400 秒）').default(600),
        /** PEM public keys of earlier signing keys, so checkpoints they signed still verify after a rotation */
        publicKeyFiles: z.array(z.string().min(1)).default([]),
        accessLogRetentionDays: z.number().int().min(365, '访问日志至少保留 365 天').default(366),
      })
      .strict()
      .default({ checkpointIntervalSeconds: 600, publicKeyFiles: [], accessLogRetentionDays: 366 }),
    /** events.md §5 `parked`: how long an event that waits for another agency's fact is held before it is rejected */
    ingest: z
      .object({
        parkingMinutes: z.number({ message: 'ingest.parkingMinutes 应为分钟数（可带小数）' }).min(0.1, 'ingest.parkingMinutes 至少 0.1 分钟').max(10_080, 'ingest.parkingMinutes 最多 7 天（10080 分钟）').default(10),
      })
      .strict()
      .default({ parkingMinutes: 10 }),
    /** operations.md "Notifications": when a clock is 临期, and where each agency's notices are POSTed */
    notifications: z
      .object({
        dueSoonWorkingDays: z.number().int().min(0, 'dueSoonWorkingDays 不能为负').max(30, 'dueSoonWorkingDays 最多 30 个工作日').default(3),
        webhooks: z
          .array(
            z
              .object({
                agencyId: z.string(),
                url: z.string().url('webhook url 应为完整的 http(s) 地址'),
                secretEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'secretEnv 应为环境变量名，如 LY_MARKET_HOOK_SECRET'),
              })
              .strict(),
          )
          .default([]),
        /** added (docs/decisions.md): the wait before the first retry; operations.md asks for one within 60 s */
        firstRetrySeconds: z.number().int().min(1).max(60).default(30),
      })
      .strict()
      .default({ dueSoonWorkingDays: 3, webhooks: [], firstRetrySeconds: 30 }),
    /** official State Council calendars published after the bundled data (国务院办公厅关于节假日安排的通知) */
    calendar: z
      .object({
        // operations.md revision 2 keys the years by year ({ "2027": { holidays, workdays } }); the list of
        // { year, holidays, workdays } that configs written before it use is still read, so neither breaks
        years: z.preprocess(
          (years) =>
            years !== null && typeof years === 'object' && !Array.isArray(years)
              ? Object.entries(years).map(([year, days]) => ({ year: /^\d+$/.test(year) ? Number(year) : year, ...(days as object) }))
              : years,
          z.array(z.object({ year: z.number({ message: YEAR_MESSAGE }).int(YEAR_MESSAGE).min(2000, YEAR_MESSAGE).max(2100, YEAR_MESSAGE), holidays: z.array(isoDate), workdays: z.array(isoDate) }).strict()),
        )
          .default([]),
      })
      .strict()
      .default({ years: [] }),
  })
  .strict();

export type PlatformConfig = z.output<typeof configSchema>;
