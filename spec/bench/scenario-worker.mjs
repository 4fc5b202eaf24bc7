// Runs scenarios of scenarios.mjs in a process of their own (forked by isolated() in scenarios.mjs),
// so a client is measured alone, not in a process where the other clients' objects have made axios'
// compiled code more general (see overhead-worker.mjs). The bench server stays the parent's: this
// process's `server.call` is relayed to it over IPC.
// { cmd: 'run', scenario, args, url } → { result } or { error }; { cmd: 'close' } → exits.
import * as scenarios from './scenarios.mjs';

let seq = 0;
const waiting = new Map();
const server = {
  url: undefined,
  call: (cmd, args) => new Promise((resolve) => (waiting.set(++seq, resolve), process.send({ serverCall: { id: seq, cmd, args } }))),
};

process.on('message', async (m) => {
  if (m.serverReply) {
    waiting.get(m.serverReply.id)?.(m.serverReply.result);
    waiting.delete(m.serverReply.id);
  } else if (m.cmd === 'run') {
    server.url = m.url;
    try {
      // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the parent names the scenario to run
      process.send({ result: await scenarios[m.scenario](server, ...m.args) });
    } catch (error) {
      process.send({ error: String(error?.message ?? error) });
    }
  } else if (m.cmd === 'close') process.exit(0);
});
