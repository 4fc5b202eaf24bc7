#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { SandboxOptions, SandboxServer } from './sandbox-options';
import { startSandboxServer } from './start-sandbox';

// `npx nextschool-sandbox`: the sandbox as a command (docs/testing.md). It runs the built package as it is:
// no build step. Its examples keep the password in shell variables and send it as GraphQL
// `variables`, never inside a query string. See docs/testing.md#from-the-command-line.

const HELP = `Usage: nextschool-sandbox [options]

Starts a local NextSchool-compatible GraphQL server (axios-graphql-refresh/testing) and prints its
URL, ready-made credentials and example calls.

Options:
  --port N             port on 127.0.0.1 (0: a free one)           default: $PORT or 4000
  --access-ttl-ms N    access token lifetime                        default: 900000 (15 min)
  --refresh-ttl-ms N   refresh token lifetime                       default: 7 days
  --rotate             issue a new refresh token on every refresh   default: off, as NextSchool
  --no-rate-limits     turn the three rate-limit layers off         default: on (60/user, 100/IP, 5 logins per 60 s)
  --no-cors            do not answer CORS (preflights get 405)      default: CORS on
  --latency-ms N       added before every answer                    default: 0
  -h, --help           this text

Needs the optional peer dependency graphql (16.x): npm install --save-dev graphql@16`;

/** The command line as sandbox options, or `'help'`. Throws with a readable message on a bad flag. */
function parseSandboxArgs(argv: string[], env: Record<string, string | undefined> = {}): SandboxOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      'access-ttl-ms': { type: 'string' },
      'refresh-ttl-ms': { type: 'string' },
      rotate: { type: 'boolean' },
      'no-rate-limits': { type: 'boolean' },
      'no-cors': { type: 'boolean' },
      'latency-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const number = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < 0)
      throw new Error(`Expected \`--${name}\` to be a whole number ≥ 0, got \`${text}\``);
    return n;
  };
  const options: SandboxOptions = {
    port: number('port', values.port ?? env.PORT) ?? 4000,
    rotateRefreshTokens: values.rotate ?? false,
    cors: !values['no-cors'],
    latencyMs: number('latency-ms', values['latency-ms']) ?? 0,
  };
  const accessTtlMs = number('access-ttl-ms', values['access-ttl-ms']);
  const refreshTtlMs = number('refresh-ttl-ms', values['refresh-ttl-ms']);
  if (accessTtlMs !== undefined) options.accessTtlMs = accessTtlMs;
  if (refreshTtlMs !== undefined) options.refreshTtlMs = refreshTtlMs;
  if (values['no-rate-limits']) options.rateLimits = false;
  return options;
}

const LOGIN =
  'mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken expiresIn user { id username name } } }';

/** `900000` → `15 min`: the lifetimes as a person reads them. */
function duration(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'days'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, name] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${name}`;
  return `${ms} ms`;
}

/** What the command prints once listening: URL, credentials, then examples with the password in variables only. */
function describeSandbox(sandbox: SandboxServer, options: SandboxOptions): string {
  return `NextSchool sandbox listening on ${sandbox.url}

  user:      ${sandbox.username}
  password:  ${sandbox.password}
  no school: noschool / noschool-password (answers FORBIDDEN)
  tokens:    access ${duration(options.accessTtlMs ?? 900_000)}, refresh ${duration(options.refreshTtlMs ?? 7 * 24 * 3600_000)}, rotation ${options.rotateRefreshTokens ? 'on' : 'off'}
  limits:    ${options.rateLimits === false ? 'off' : '60 per user, 100 per IP, 5 logins per 60 s'}; CORS ${options.cors === false ? 'off' : 'on'}

Try it (bash; the password stays in a variable and travels as GraphQL variables):
  export NEXTSCHOOL_URL='${sandbox.url}' NEXTSCHOOL_USERNAME='${sandbox.username}' NEXTSCHOOL_PASSWORD='${sandbox.password}'
  LOGIN='${LOGIN}'
  ANSWER=$(curl -s "$NEXTSCHOOL_URL" -H 'content-type: application/json' \\
    -d "{\\"query\\":\\"$LOGIN\\",\\"variables\\":{\\"u\\":\\"$NEXTSCHOOL_USERNAME\\",\\"p\\":\\"$NEXTSCHOOL_PASSWORD\\"}}")
  TOKEN=$(printf %s "$ANSWER" | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).data.login.accessToken')
  curl -s "$NEXTSCHOOL_URL" -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \\
    -d '{"query":"{ students(limit: 3) { id fullName classroomName } }"}'

From Node (an .mjs file), with those variables exported:
  import { createNextSchoolClient } from 'axios-graphql-refresh/nextschool';
  const ns = createNextSchoolClient({ url: process.env.NEXTSCHOOL_URL, username: process.env.NEXTSCHOOL_USERNAME, password: process.env.NEXTSCHOOL_PASSWORD });
  console.log(await ns.students({ limit: 3 }));

Press Ctrl+C to stop.`;
}

async function main(): Promise<void> {
  let options: SandboxOptions | 'help';
  try {
    options = parseSandboxArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`nextschool-sandbox: ${(error as Error).message}\nTry --help.`);
    return void (process.exitCode = 2);
  }
  if (options === 'help') return void console.log(HELP);
  const sandbox = await startSandboxServer(options);
  console.log(describeSandbox(sandbox, options));
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`nextschool-sandbox: ${error.message}`);
  process.exit(1);
});
