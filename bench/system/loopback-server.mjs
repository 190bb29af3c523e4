// A minimal loopback resource server for the request benchmarks: answers 200 `{}` and sends a
// DPoP-Nonce; with `demandNonce` it answers 401 use_dpop_nonce to any proof without the current nonce
// (decoded, not verified: the benchmarks time the client, not the server). Counts requests.
import { createServer } from 'node:http';

export async function startLoopbackServer({ demandNonce = false, nonce = 'bench-nonce-1' } = {}) {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      if (demandNonce) {
        const proof = String(req.headers.dpop ?? '');
        let sent;
        try {
          sent = JSON.parse(Buffer.from(proof.split('.')[1] ?? '', 'base64url').toString()).nonce;
        } catch {}
        if (sent !== nonce) {
          res.writeHead(401, {
            'www-authenticate':
              'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
            'dpop-nonce': nonce,
            'content-type': 'application/json',
          });
          res.end('{"error":"use_dpop_nonce"}');
          return;
        }
      }
      res.writeHead(200, { 'content-type': 'application/json', 'dpop-nonce': nonce });
      res.end('{}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    requests: () => requests,
    reset: () => {
      requests = 0;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}
