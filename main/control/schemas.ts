// Argument schemas for every control method. Arguments arrive from a renderer (IPC) or over
// HTTP (console), so nothing is trusted: each method's arguments are parsed here before its
// handler runs, unknown keys are refused, and a failure names the field for the form.
import { isAbsolute as posixAbsolute } from 'node:path/posix';
import { isAbsolute as winAbsolute } from 'node:path/win32';
import { z } from 'zod';
import type { ArgsOf, ControlMethod } from '../../preload/contract';
import { hostPortProblem, insecureRegistryProblem, mirrorUrlProblem } from '../../preload/contract/registry-hosts';
import { ROLES } from '../../preload/contract/settings';
import { NAME_MAX, NAME_RE, parseDigest, TAG_RE } from '../registry/reference';

const none = z.strictObject({});
const role = z.enum(ROLES);
const absolutePath = z.string().min(1, 'a path is required').max(4096)
  .refine((p) => posixAbsolute(p) || winAbsolute(p), 'must be an absolute path');
const repository = z.string().max(NAME_MAX).regex(NAME_RE, 'not a valid repository name (lower-case letters, digits, separators, "/")');
const tag = z.string().regex(TAG_RE, 'not a valid tag');
const digest = z.string().refine((d) => parseDigest(d) !== undefined, 'not a valid digest (sha256:<64 hex digits>)');
const user = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'a user name is 1-64 letters, digits, ".", "_", "@" or "-"');
const password = z.string().min(1, 'the password must not be empty')
  .refine((p) => Buffer.byteLength(p) <= 72, 'the password must be at most 72 bytes (bcrypt ignores the rest)');
const goDuration = z.string().regex(/^(0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/, 'a duration such as 168h, 30m or 0 (never expire)');
const httpUrl = z.string().max(2048).refine((u) => u === '' || /^https?:\/\/[^\s/?#]+[^\s]*$/.test(u), 'an http:// or https:// URL');
/** A string checked by one of the registry-hosts.ts grammars, its reason as the message. */
const grammar = (problem: (v: string) => string | undefined) => z.string().max(300).superRefine((v, ctx) => {
  const p = problem(v);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});
const hostPort = grammar((v) => hostPortProblem(v, true));
const pem = z.string().min(1).max(1024 * 1024);

const settingsPatch = z.strictObject({
  port: z.number().int().min(1, 'the port must be 1–65535').max(65535, 'the port must be 1–65535').optional(),
  shareOnNetwork: z.boolean().optional(),
  dataDir: absolutePath.optional(),
  deleteEnabled: z.boolean().optional(),
  tls: z.strictObject({
    enabled: z.boolean(), certificate: absolutePath, key: absolutePath, minimumTls: z.enum(['tls1.2', 'tls1.3']),
  }).partial().optional(),
  auth: z.strictObject({
    enabled: z.boolean(), realm: z.string().min(1).max(200).regex(/^[^"\\\r\n]*$/, 'no quotes or backslashes'),
    htpasswdPath: absolutePath, anonymousPull: z.boolean(), defaultRole: role,
  }).partial().optional(),
  proxy: z.strictObject({
    enabled: z.boolean(), remoteUrl: httpUrl, username: z.string().max(256), password: z.string().max(4096),
    ttl: goDuration, allowPush: z.boolean(), localNamespaces: z.array(repository).max(100, 'at most 100 local namespaces'),
  }).partial().optional(),
});

const daemonChange = z.strictObject({
  target: absolutePath,
  insecureRegistry: grammar(insecureRegistryProblem).optional(),
  mirror: grammar(mirrorUrlProblem).optional(),
  remove: z.boolean().optional(),
});

type Schemas = { [M in ControlMethod]: z.ZodType<ArgsOf<M>> };

export const schemas: Schemas = {
  'registry.status': none,
  'registry.overview': none,
  'registry.start': none,
  'registry.stop': none,
  'settings.get': none,
  'settings.update': settingsPatch,
  'settings.importConfig': z.strictObject({ yaml: z.string().min(1, 'the file is empty').max(1024 * 1024) }),
  'settings.exportConfig': none,
  'preferences.get': none,
  'preferences.update': z.strictObject({ startRegistryOnLaunch: z.boolean(), startAtLogin: z.boolean() }).partial(),
  'users.list': none,
  'users.add': z.strictObject({ user, password, role }),
  'users.setPassword': z.strictObject({ user, password }),
  'users.setRole': z.strictObject({ user, role }),
  'users.remove': z.strictObject({ user }),
  'certs.get': none,
  'certs.generate': z.strictObject({
    names: z.array(z.string().min(1).max(253)).max(100),
    keySize: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]),
    validityDays: z.number().int().min(1).max(3650),
    newCa: z.boolean().optional(),
  }),
  'certs.import': z.strictObject({ certificatePem: pem, keyPem: pem }),
  'certs.caPem': none,
  'certs.trust': z.strictObject({ client: z.enum(['docker', 'podman', 'containerd']), hostPort }),
  'catalog.repositories': z.strictObject({
    filter: z.string().max(256).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  }),
  'catalog.tags': z.strictObject({ repository, sort: z.enum(['name', 'date']).optional() }),
  'catalog.image': z.strictObject({ repository, reference: z.union([tag, digest], { error: 'a tag or a digest' }) }),
  'catalog.deleteTag': z.strictObject({ repository, tag }),
  'catalog.deleteManifest': z.strictObject({ repository, digest }),
  'catalog.deleteRepository': z.strictObject({ repository }),
  'catalog.gc': z.strictObject({ dryRun: z.boolean(), deleteUntagged: z.boolean().optional() }),
  'docker.detect': none,
  'docker.preview': daemonChange,
  'docker.apply': daemonChange.extend({ then: z.enum(['reload', 'restart', 'later']) }),
  'docker.snippets': z.strictObject({ hostPort, tls: z.boolean() }),
};

export function isControlMethod(method: unknown): method is ControlMethod {
  return typeof method === 'string' && Object.hasOwn(schemas, method);
}

export type ParsedArgs<M extends ControlMethod> =
  | { ok: true; args: ArgsOf<M> }
  | { ok: false; field: string; message: string };

export function parseArgs<M extends ControlMethod>(method: M, raw: unknown): ParsedArgs<M> {
  const r = (schemas[method] as z.ZodType<ArgsOf<M>>).safeParse(raw ?? {});
  if (r.success) return { ok: true, args: r.data };
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  return { ok: false, field, message: field ? `${field}: ${issue.message}` : issue.message };
}
