import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

/** Records served for one name. TXT: one string[] of character-strings per record. */
export interface ZoneEntry {
  TXT?: string[][];
  A?: string[];
  AAAA?: string[];
}

/** A real DNS server on UDP 127.0.0.1 (random port) answering from an editable zone. */
export interface LoopbackDns {
  readonly server: string; // "127.0.0.1:<port>"
  readonly zone: Map<string, ZoneEntry>;
  readonly queries: { name: string; type: string }[];
  delayMs: number;
  close(): Promise<void>;
}

export async function startDns(initial: Record<string, ZoneEntry> = {}): Promise<LoopbackDns> {
  const socket = dgram.createSocket('udp4');
  const zone = new Map(Object.entries(initial).map(([k, v]) => [k.toLowerCase(), v]));
  const state: LoopbackDns = {
    server: '',
    zone,
    queries: [],
    delayMs: 0,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (msg, rinfo) => {
    const query = dnsPacket.decode(msg);
    const q = query.questions?.[0];
    if (!q) return;
    state.queries.push({ name: q.name, type: q.type });
    const entry = zone.get(q.name.toLowerCase());
    const answers: dnsPacket.Answer[] = [];
    if (entry && q.type === 'TXT') {
      for (const chunks of entry.TXT ?? []) answers.push({ type: 'TXT', name: q.name, ttl: 60, data: chunks });
    }
    if (entry && q.type === 'A')
      for (const a of entry.A ?? []) answers.push({ type: 'A', name: q.name, ttl: 60, data: a });
    if (entry && q.type === 'AAAA') {
      for (const a of entry.AAAA ?? []) answers.push({ type: 'AAAA', name: q.name, ttl: 60, data: a });
    }
    const reply = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (entry ? 0 : 3), // rcode 3 = NXDOMAIN
      questions: query.questions,
      answers,
    });
    const send = () => socket.send(reply, rinfo.port, rinfo.address);
    if (state.delayMs > 0) setTimeout(send, state.delayMs);
    else send();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  (state as { server: string }).server = `127.0.0.1:${socket.address().port}`;
  return state;
}
