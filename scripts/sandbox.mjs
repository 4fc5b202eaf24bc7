// `npm run sandbox`: starts the local NextSchool-compatible sandbox and prints how to use it.
// Options: --port N, --access-ttl-ms N, --rotate, --no-rate-limits, --no-cors, --latency-ms N
import { startSandboxServer } from '../dist/testing.mjs';

const args = process.argv.slice(2);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};

const sandbox = await startSandboxServer({
  port: value('--port', Number(process.env.PORT) || 4000),
  accessTtlMs: value('--access-ttl-ms', undefined),
  latencyMs: value('--latency-ms', 0),
  rotateRefreshTokens: args.includes('--rotate'),
  rateLimits: args.includes('--no-rate-limits') ? false : undefined,
  cors: !args.includes('--no-cors'),
});

console.log(`NextSchool sandbox listening on ${sandbox.url}

  user:      ${sandbox.username}
  password:  ${sandbox.password}
  no school: noschool / noschool-password (answers FORBIDDEN)

Try it:
  curl -s ${sandbox.url} -H 'content-type: application/json' \\
    -d '{"query":"mutation { login(username: \\"${sandbox.username}\\", password: \\"${sandbox.password}\\") { accessToken refreshToken expiresIn } }"}'

Press Ctrl+C to stop.`);

const stop = () => sandbox.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
