// Argument schemas for every control method. Arguments arrive from a renderer (IPC) or over
// HTTP (console), so nothing is trusted: each method's arguments are parsed here before its
// handler runs, unknown keys are refused, and a failure names the field for the form.
import * as z from 'zod';
import type { ArgsOf, ControlMethod } from '../../preload/contract';
import { hostPortProblem, insecureRegistryProblem, mirrorUrlProblem } from '../../preload/contract/registry-hosts';
import { passwordProblem, userNameProblem } from '../../preload/contract/users';
import { ROLES } from '../../preload/contract/setting-table';
import { LOG_ENTRY_LEVELS } from '../../preload/contract/logs';
import { ARCHIVE_CHUNK_BYTES, ARCHIVE_UPLOAD_MAX_BYTES } from '../../preload/contract/archives';
import { DEFAULT_LOG_RING_CAPACITY } from '../lib/log-ring';
import { absolutePath, checkedBy, settingsPatchSchema } from '../settings/patch-schema';
import { NAME_MAX, NAME_RE, parseDigest, TAG_RE } from '../registry/reference';

const none = z.strictObject({});
const role = z.enum(ROLES);
const repository = z.string().max(NAME_MAX).regex(NAME_RE, 'not a valid repository name (lower-case letters, digits, separators, "/")');
const tag = z.string().regex(TAG_RE, 'not a valid tag');
const digest = z.string().refine((d) => parseDigest(d) !== undefined, 'not a valid digest (sha256:<64 hex digits>)');
/** A string checked by one of the shared grammars (contract, config), its reason as the message. */
const grammar = (problem: (v: string) => string | undefined) => checkedBy(problem, 300);
const user = grammar(userNameProblem);
const password = grammar(passwordProblem);
const hostPort = grammar((v) => hostPortProblem(v, true));
const transferId = z.string().uuid('not a transfer id');
const exportRefs = z.array(z.string().min(1).max(512)).min(1, 'choose at least one image').max(1000);
const pem = z.string().min(1).max(1024 * 1024);

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
  'settings.update': settingsPatchSchema,
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
  'logs.recent': z.strictObject({
    level: z.enum(LOG_ENTRY_LEVELS).optional(),
    repository: repository.optional(),
    limit: z.number().int().min(1).max(DEFAULT_LOG_RING_CAPACITY).optional(),
  }),
  'storage.usage': none,
  'warm.list': none,
  'warm.fetchNow': z.strictObject({ image: z.string().min(1).max(512).optional() }),
  'archives.importBegin': z.strictObject({ bytes: z.number().int().min(1, 'the file is empty').max(ARCHIVE_UPLOAD_MAX_BYTES, 'the archive is larger than the UI accepts (use berth import)') }),
  'archives.importChunk': z.strictObject({
    id: transferId, offset: z.number().int().min(0),
    base64: z.string().min(1).max(Math.ceil(ARCHIVE_CHUNK_BYTES / 3) * 4, 'a chunk carries at most 1 MiB').regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
  }),
  'archives.importFinish': z.strictObject({ id: transferId, as: z.string().min(1).max(512).optional() }),
  'archives.export': z.strictObject({ refs: exportRefs }),
  'archives.exportChunk': z.strictObject({ id: transferId, offset: z.number().int().min(0), length: z.number().int().min(1).max(ARCHIVE_CHUNK_BYTES) }),
  'archives.savesToFile': none,
  'archives.exportToFile': z.strictObject({ refs: exportRefs, progressId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'not a progress id') }),
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
