/**
 * The dashboard's one page: polls `/status.json` every two seconds and shows the run, a progress bar
 * of rounds, the plants (connected or not) and the global validation MSE per round as an inline SVG
 * line on a log scale. Self-contained: no external scripts, styles or fonts.
 */

/** The page's HTML. */
export function dashboardPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Crucible dashboard</title>
<style>body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em;color:#222}
.bar{background:#eee;height:14px;border-radius:7px;overflow:hidden}.bar>div{background:#1f77b4;height:100%}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:4px 10px;text-align:left}
.on{color:#2ca02c}.off{color:#999}.muted{color:#666}</style></head><body>
<h1>Crucible</h1><p id="run" class="muted">loading…</p><div class="bar"><div id="progress" style="width:0"></div></div>
<h2>Plants</h2><table><thead><tr><th>plant</th><th>state</th><th>last seen</th></tr></thead><tbody id="plants"></tbody></table>
<h2>Global validation MSE per round</h2><svg id="chart" width="860" height="300" role="img" aria-label="MSE per round"></svg>
<p id="last" class="muted"></p>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'})[c]);
function chart(rounds) {
  const pts = rounds.filter((r) => r.mse > 0).map((r) => [r.round, Math.log10(r.mse)]);
  const svg = $('chart');
  if (pts.length === 0) { svg.innerHTML = '<text x="10" y="20">no evaluated rounds yet</text>'; return; }
  const W = 860, H = 300, L = 60, B = 30, T = 10, R = 10;
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1), y0 = Math.floor(Math.min(...ys)), y1 = Math.ceil(Math.max(...ys, y0 + 1));
  const X = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R), Y = (y) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  let g = '';
  for (let e = y0; e <= y1; e++) g += '<line x1="' + L + '" x2="' + (W - R) + '" y1="' + Y(e) + '" y2="' + Y(e) + '" stroke="#eee"/><text x="' + (L - 6) + '" y="' + (Y(e) + 4) + '" text-anchor="end" font-size="11">1e' + e + '</text>';
  g += '<text x="' + X(x0) + '" y="' + (H - 8) + '" font-size="11">round ' + x0 + '</text><text x="' + X(x1) + '" y="' + (H - 8) + '" font-size="11" text-anchor="end">round ' + x1 + '</text>';
  g += '<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="' + pts.map((p) => X(p[0]) + ',' + Y(p[1])).join(' ') + '"/>';
  svg.innerHTML = g;
}
async function poll() {
  try {
    const s = await (await fetch('status.json', { cache: 'no-store' })).json();
    if (s.error) throw new Error(s.error);
    const total = s.run && s.run.rounds;
    $('run').textContent = s.run ? 'run ' + s.run.id + ' (' + s.run.status + '): ' + s.roundsDone + (total ? ' of ' + total : '') + ' rounds' : 'no run yet';
    $('progress').style.width = total ? Math.min(100, (100 * s.roundsDone) / total) + '%' : '0';
    $('plants').innerHTML = s.plants.map((p) => '<tr><td>' + esc(p.id) + '</td><td class="' + (p.connected ? 'on">connected' : 'off">' + (p.revoked ? 'revoked' : 'not connected')) + '</td><td>' + esc(p.lastSeenAt ?? '–') + '</td></tr>').join('');
    chart(s.rounds);
    const last = s.rounds[s.rounds.length - 1];
    $('last').textContent = last ? 'last round ' + last.round + ': ' + last.participants.join(', ') + '; MSE ' + last.mse + ', R² ' + last.r2 : '';
  } catch (e) { $('run').textContent = 'cannot read status: ' + e.message; }
  setTimeout(poll, 2000);
}
poll();
</script></body></html>
`;
}
