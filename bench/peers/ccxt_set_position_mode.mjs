// The peer baseline of scripts/bench-peer: ccxt's setPositionMode on Binance USDⓈ-M, the way a
// desk using ccxt switches the mode, against the same posmode mock exchange process and the same
// account as posmode_bench_peer, on the same machine. Each sample is one awaited call, from
// before the call to its resolution, read with process.hrtime.bigint(); the mode alternates so
// that every call really changes it.
//
// Usage: node ccxt_set_position_mode.mjs --port P --key K --secret S --samples N --warm-up W
//        [--csv FILE]
// The mock's CA is trusted through NODE_EXTRA_CA_CERTS (scripts/bench-peer sets it): TLS
// verification stays on, as posmode's own runs keep it.

import { writeFileSync } from 'node:fs';
import ccxt from 'ccxt';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0 || at + 1 >= process.argv.length) {
    if (fallback === undefined) {
      console.error(`ccxt_set_position_mode: --${name} is required`);
      process.exit(2);
    }
    return fallback;
  }
  return process.argv[at + 1];
}

const port = Number(option('port'));
const samples = Number(option('samples'));
const warmUp = Number(option('warm-up', '200'));
const csv = option('csv', '');

const exchange = new ccxt.binanceusdm({
  apiKey: option('key'),
  secret: option('secret'),
  enableRateLimit: false,
  timeout: 10000,
});
// Every private USDⓈ-M call to the mock (the certificate names localhost and 127.0.0.1).
const base = `https://localhost:${port}`;
exchange.urls.api.fapiPrivate = `${base}/fapi/v1`;
exchange.urls.api.fapiPublic = `${base}/fapi/v1`;

let hedged = true;
async function once() {
  const start = process.hrtime.bigint();
  await exchange.setPositionMode(hedged);
  const end = process.hrtime.bigint();
  hedged = !hedged;
  return Number(end - start);
}

try {
  for (let i = 0; i < warmUp; ++i) await once();
  const out = new Array(samples);
  for (let i = 0; i < samples; ++i) out[i] = await once();
  if (csv !== '') writeFileSync(csv, `ns\n${out.join('\n')}\n`);
  const sorted = [...out].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  const us = (ns) => (ns / 1000).toFixed(1);
  console.log(
    `ccxt ${ccxt.version} setPositionMode: n=${samples} p50=${us(at(0.5))} p90=${us(at(0.9))} ` +
      `p99=${us(at(0.99))} p99.9=${us(at(0.999))} max=${us(sorted[sorted.length - 1])} us`,
  );
} catch (error) {
  console.error(`ccxt_set_position_mode: ${error.constructor.name}: ${error.message}`);
  process.exit(1);
}
