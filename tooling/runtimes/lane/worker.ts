// The lane's script for workerd (Cloudflare Workers): the parent POSTs the config, the report is
// the response. Everything runs inside the request, as Workers require for I/O and timers.
import { runSmokeFlow, type SmokeConfig } from '../src/smoke-flow.js';

export default {
  async fetch(request: Request): Promise<Response> {
    const config = (await request.json()) as SmokeConfig;
    const report = await runSmokeFlow(config);
    return new Response(JSON.stringify(report), { headers: { 'content-type': 'application/json' } });
  },
};
