// The package's own sandbox server (axios-graphql-refresh/testing) in a process of its own, for the
// rate-limit scenarios (paced.mjs): the clients and the server each get a core, as with the bench
// servers. { cmd: 'start', options } → { url, username, password }; { cmd: 'stats' } → the
// sandbox's counters; { cmd: 'close' } → exits.
import { startSandboxServer } from '../../dist/testing.mjs';

let sandbox;
process.on('message', async (m) => {
  try {
    if (m.cmd === 'start') {
      sandbox = await startSandboxServer(m.options);
      process.send({ url: sandbox.url, username: sandbox.username, password: sandbox.password });
    } else if (m.cmd === 'stats') process.send({ ...sandbox.stats });
    else if (m.cmd === 'close') {
      await sandbox?.close();
      process.exit(0);
    }
  } catch (error) {
    process.send({ error: String(error?.message ?? error) });
  }
});
