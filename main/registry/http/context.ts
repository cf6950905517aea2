// What every handler gets: the parsed request, the stores, the config, and helpers for the
// URLs the registry hands back (Location headers, pagination links).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RegistryConfig } from '../../config/types';
import type { Logger } from '../../lib/logger';
import type { ContentSource } from '../content-source';
import type { RegistryStore } from '../storage/registry-store';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  /** Repository name, validated against the name grammar. */
  name: string;
  /** Tag, digest or upload id from the path. */
  param: string;
  store: RegistryStore;
  /** Where reads are served from: the store, or the pull-through cache in proxy mode. */
  content: ContentSource;
  config: RegistryConfig;
  log: Logger;
  /** Whether the access controller lets this request's client pull from repository `name`. */
  mayPull(name: string): Promise<boolean>;
}

/** Absolute base URL for Location headers: http.host, else forwarded headers, else the request. */
export function baseUrl(ctx: Pick<RequestContext, 'req' | 'config'>): string {
  const { config, req } = ctx;
  if (config.http.relativeurls) return '';
  if (config.http.host) return config.http.host.replace(/\/+$/, '');
  const fwdProto = header(req, 'x-forwarded-proto')?.split(',')[0]?.trim();
  const fwdHost = header(req, 'x-forwarded-host')?.split(',')[0]?.trim();
  const proto = fwdProto || ((req.socket as TLSSocket).encrypted ? 'https' : 'http');
  return `${proto}://${fwdHost || req.headers.host || 'localhost'}`;
}

/** The path prefix the API is served under ("" for "/"). */
export function prefix(config: RegistryConfig): string {
  return config.http.prefix === '/' ? '' : config.http.prefix.replace(/\/+$/, '');
}

export function apiUrl(ctx: Pick<RequestContext, 'req' | 'config'>, path: string): string {
  return baseUrl(ctx) + prefix(ctx.config) + path;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function send(res: ServerResponse, status: number, headers: Record<string, string | number>, body?: string | Buffer): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body !== undefined && !res.hasHeader('content-length')) res.setHeader('Content-Length', Buffer.byteLength(body));
  res.statusCode = status;
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string | number> = {}): void {
  send(res, status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(value));
}
