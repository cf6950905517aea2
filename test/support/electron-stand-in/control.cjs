// The stand-in's channel to the test that started it: Node's child-process IPC. The test sends
// requests ({ id, op, args }) and gets one answer each ({ id, ok, value | error }); the stand-in
// reports what the app did to Electron as events ({ event, ... }) as it happens. Without a
// channel (started by hand) requests never come and reports are dropped.
'use strict';

const handlers = new Map();

/** Reports something the app did (a dialog, a notification, a message to a window…). */
function report(event, data = {}) {
  if (process.send && process.connected) process.send({ event, ...data });
}

/** Answers the test's requests for `op` with `fn(args)` (its value, or the error it throws). */
function onRequest(op, fn) {
  if (handlers.has(op)) throw new Error(`electron stand-in: a second handler for the request "${op}"`);
  handlers.set(op, fn);
}

/** Resolves once everything reported so far has been handed to the channel (before an exit). */
function flush(timeoutMs = 2000) {
  if (!process.send || !process.connected) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    process.send({ event: 'flush' }, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

process.on('message', (msg) => {
  if (!msg || typeof msg.id !== 'number' || typeof msg.op !== 'string') return;
  const fn = handlers.get(msg.op);
  const answer = (body) => {
    if (process.connected) process.send({ id: msg.id, ...body });
  };
  if (!fn) return answer({ ok: false, error: `electron stand-in: no request "${msg.op}"` });
  Promise.resolve()
    .then(() => fn(msg.args ?? {}))
    .then((value) => answer({ ok: true, value }), (err) => answer({ ok: false, error: err instanceof Error ? err.message : String(err) }));
});

module.exports = { report, onRequest, flush };
