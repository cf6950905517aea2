// Replaced at bundle time by scripts/build.mjs; "dev" when run from source.
declare const __BERTH_VERSION__: string | undefined;
export const VERSION: string = typeof __BERTH_VERSION__ === 'string' ? __BERTH_VERSION__ : 'dev';
