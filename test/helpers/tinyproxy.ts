import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A real HTTP proxy from Debian's packages (tinyproxy; .ci/run installs it), on loopback,
 * in the foreground, with its own configuration. `upstream`: the next hop it sends every
 * request to (as an upstream proxy), so that a cluster named by a host no resolver knows is
 * reachable through it, and only through it.
 */

export interface Tinyproxy {
  url: string;
  stop(): Promise<void>;
}

export function tinyproxyInstalled(): boolean {
  return spawnSync('tinyproxy', ['-v'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the port accepts a connection (a state, polled; never a fixed sleep). */
async function accepting(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited (${child.exitCode}): ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`tinyproxy did not listen on ${port}: ${output()}`);
}

export async function startTinyproxy(upstreamPort: number): Promise<Tinyproxy> {
  if (!tinyproxyInstalled()) throw new Error("tinyproxy is not installed: 'apt-get install tinyproxy' (.ci/run does)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'janitor-tinyproxy-'));
  const port = await freePort();
  const config = path.join(dir, 'tinyproxy.conf');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      'Allow 127.0.0.1',
      'MaxClients 64',
      'LogLevel Info',
      `LogFile "${path.join(dir, 'tinyproxy.log')}"`,
      `Upstream http 127.0.0.1:${upstreamPort}`,
      ...(process.getuid?.() === 0 ? ['User root', 'Group root'] : []),
    ].join('\n') + '\n',
  );
  let output = '';
  const child = spawn('tinyproxy', ['-d', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const log = () =>
    `${output}${fs.existsSync(path.join(dir, 'tinyproxy.log')) ? fs.readFileSync(path.join(dir, 'tinyproxy.log'), 'utf8') : ''}`;
  await accepting(port, child, log);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
