import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';

/**
 * The proxy a request goes through, as the DC/OS CLI decides it: Go's
 * http.ProxyFromEnvironment (golang.org/x/net/http/httpproxy, docs/network.md).
 * - HTTPS_PROXY for https:// URLs, HTTP_PROXY for http:// ones; the upper-case name wins
 *   over the lower-case one; a proxy given without a scheme is http://.
 * - NO_PROXY: comma-separated hosts, domains (`.example.com` or `example.com`: the domain
 *   and its subdomains), IP addresses, CIDR blocks, each with an optional port; `*` means none.
 * - localhost and loopback addresses are never proxied.
 */

export interface ProxySettings {
  http?: URL;
  https?: URL;
  noProxy: string[];
}

export function proxySettingsFromEnv(env: NodeJS.ProcessEnv): ProxySettings {
  const read = (...names: string[]) =>
    names.map((name) => env[name]).find((value) => value !== undefined && value.trim() !== '');
  return {
    http: proxyUrl(read('HTTP_PROXY', 'http_proxy')),
    https: proxyUrl(read('HTTPS_PROXY', 'https_proxy')),
    noProxy: (read('NO_PROXY', 'no_proxy') ?? '')
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      .filter(Boolean),
  };
}

function proxyUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    return url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The proxy for this URL, or undefined to go direct. */
export function proxyFor(url: URL, settings: ProxySettings): URL | undefined {
  const proxy = url.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || isLoopback(host)) return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const entry of settings.noProxy) {
    if (entry === '*') return undefined;
    if (bypasses(entry, host, port)) return undefined;
  }
  return proxy;
}

function bypasses(entry: string, host: string, port: string): boolean {
  // "10.0.0.0/8", "::1/128": a CIDR block.
  if (entry.includes('/')) return inCidr(host, entry);
  let name = entry;
  let entryPort: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) [, name, entryPort] = bracketed;
  else if (net.isIP(entry) === 0) {
    const match = /^(.*?)(?::(\d+))?$/.exec(entry);
    if (match) [, name, entryPort] = match;
  }
  if (entryPort !== undefined && entryPort !== port) return false;
  if (net.isIP(name) !== 0) return name === host;
  const domain = name.replace(/^\*?\./, '');
  return host === domain || host.endsWith(`.${domain}`);
}

function isLoopback(host: string): boolean {
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1';
  return false;
}

function inCidr(host: string, cidr: string): boolean {
  const [range, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const version = net.isIP(range);
  if (version === 0 || net.isIP(host) !== version || !Number.isInteger(bits)) return false;
  const list = new net.BlockList();
  list.addSubnet(range, bits, version === 4 ? 'ipv4' : 'ipv6');
  return list.check(host, version === 4 ? 'ipv4' : 'ipv6');
}

/** `http://user:pass@proxy:3128`: the Basic credentials it names, for Proxy-Authorization. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username) return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/** The proxy as it may be shown: its address, never its credentials. */
export function shownProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/**
 * https:// through an HTTP proxy: each connection is a CONNECT tunnel, and TLS runs inside
 * it with the same verification (CA, host name) as a direct connection: the proxy sees
 * only the encrypted stream, the token included.
 */
export class TunnelingAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: http.RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const { host, port, servername } = options as tls.ConnectionOptions & { host?: string; port?: number };
    const target = `${host}:${port ?? 443}`;
    const authorization = proxyAuthorization(this.proxy);
    const connect = http.request({
      host: this.proxy.hostname,
      port: Number(this.proxy.port || 80),
      method: 'CONNECT',
      path: target,
      headers: { Host: target, ...(authorization ? { 'Proxy-Authorization': authorization } : {}) },
      agent: false,
    });
    connect.once('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        callback?.(
          Object.assign(
            new Error(`the proxy ${shownProxy(this.proxy)} refused the tunnel to ${target} (${response.statusCode})`),
            { code: 'EPROXY' },
          ),
          socket,
        );
        return;
      }
      const secure = tls.connect({
        ...(options as tls.ConnectionOptions),
        socket,
        servername: servername ?? (net.isIP(host ?? '') ? undefined : host),
      });
      callback?.(null, secure);
    });
    connect.once('error', (error) => callback?.(error, connect.socket ?? new net.Socket()));
    connect.end();
    return undefined;
  }
}
