// Run as another local user (runuser -u nobody): tries everything against a pilot's listener and reports what
// it got. argv: port replayFile; stdin: the key (hex) to look for. Prints one JSON line.
const net = require('node:net');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const [port, replayFile] = process.argv.slice(2);
const secret = fs.readFileSync(0, 'utf8').trim();
const out = { keyInPs: false, keyInEnviron: false, received: 0, connected: 0, refusedConnect: 0 };
const ps = execFileSync('ps', ['-eo', 'pid,args', '--no-headers'], { encoding: 'utf8' });
out.keyInPs = ps.includes(secret);
for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
  try {
    if (fs.readFileSync(`/proc/${pid}/environ`, 'latin1').includes(secret)) out.keyInEnviron = true;
  } catch { /* not ours to read */ }
}
const replay = fs.readFileSync(replayFile);
function attempt(payload, holdMs = 300) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: Number(port) });
    s.on('connect', () => { out.connected++; if (payload) s.write(payload); });
    s.on('data', (d) => (out.received += d.length));
    s.on('error', (e) => { if (e.code === 'ECONNREFUSED') out.refusedConnect++; });
    s.on('close', resolve);
    setTimeout(() => s.destroy(), holdMs);
  });
}
(async () => {
  await attempt(null); // connect and listen
  await attempt(replay); // bytes captured from another pilot's agent
  await attempt(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  await attempt(Buffer.concat([Buffer.from([0, 0, 0, 60]), require('node:crypto').randomBytes(60)]));
  await Promise.all(Array.from({ length: 60 }, () => attempt(Buffer.from([0, 0]), 1500))); // flood, half a frame each
  console.log(JSON.stringify(out));
})();
