// The control contract, re-exported for the preload, the renderer and main.
export * from './control';
export type * from './registry';
export type * from './settings';
export * from './setting-table';
export type * from './users';
export type * from './certs';
export type * from './catalog';
export type * from './docker-setup';
export * from './logs';
export type * from './storage';
export type * from './warm';
export * from './archives';
