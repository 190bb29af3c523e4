import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';

/**
 * A real UDP DNS server on 127.0.0.1 answering TXT queries from a table (`_atproto.<handle>`
 * records). Unknown names get NXDOMAIN. Counts queries so tests can assert on lookups.
 */
export class DnsServer {
  /** name (lower-case, no trailing dot) → TXT strings. */
  readonly txt = new Map<string, string[]>();
  readonly queries: string[] = [];
  #socket?: Socket;
  #port = 0;

  get port(): number {
    return this.#port;
  }

  /** `127.0.0.1:<port>`, as node:dns `Resolver.setServers` takes it. */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  async start(): Promise<void> {
    const socket = createSocket('udp4');
    socket.on('message', (msg, rinfo) => {
      let query: dnsPacket.Packet;
      try {
        query = dnsPacket.decode(msg);
      } catch {
        return;
      }
      const question = query.questions?.[0];
      if (!question) return;
      const name = question.name.toLowerCase().replace(/\.$/, '');
      this.queries.push(name);
      const values = question.type === 'TXT' ? this.txt.get(name) : undefined;
      const known = this.txt.has(name);
      const response = dnsPacket.encode({
        type: 'response',
        id: query.id,
        flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : 3), // rcode 3 = NXDOMAIN
        questions: [question],
        answers: (values ?? []).map((data) => ({ type: 'TXT' as const, name: question.name, ttl: 60, data: [data] })),
      });
      socket.send(response, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    this.#port = (socket.address() as AddressInfo).port;
    this.#socket = socket;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.#socket ? this.#socket.close(() => resolve()) : resolve()));
  }
}
