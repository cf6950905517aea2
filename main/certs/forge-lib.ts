// node-forge, in one module so builds can put it in a bundle of its own (dist/forge-lib.cjs),
// loaded only when certificates are made or read: a registry that serves (with or without TLS)
// never needs it, and its ≈ 0.6 MB of source would otherwise be parsed at start and kept by V8
// for the life of the process.
// A named export: an ESM default import of a CommonJS bundle gets its whole module.exports.
import forge from 'node-forge';

export { forge };
