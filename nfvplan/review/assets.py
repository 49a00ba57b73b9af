# ruff: noqa: E501  (CSS and JavaScript read better unwrapped)
"""The report's inline style sheet and script: no file, font or library is fetched.

Kept apart from the page builder so that the HTML generation reads as structure only.
"""

CSS = """
:root { --ink: #1d2733; --muted: #5b6776; --line: #d5dbe3; --bg: #ffffff; --panel: #f5f7fa;
  --work: #3b7dd8; --overhead: #e8912d; --reserve: #9b59c9; --traffic: #1c9c95;
  --stale: #8d96a0; --free: #e9edf2; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--ink); background: var(--bg); margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 18px 28px 60px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
h4 { font-size: 14px; margin: 14px 0 6px; }
p.lead, .muted { color: var(--muted); }
nav.toc { font-size: 13px; margin: 8px 0 0; }
nav.toc a { margin-right: 14px; color: #2360a5; text-decoration: none; }
.status { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600;
  color: #fff; }
.status-optimal { background: #2e7d32; } .status-feasible { background: #b26a00; }
.status-infeasible { background: #b3261e; } .status-unknown { background: #5b6776; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.card .k { color: var(--muted); font-size: 12px; }
.card .v { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; }
table.sortable th { cursor: pointer; }
table.sortable th::after { content: " \\2195"; color: #a0a8b3; font-size: 11px; }
table.sortable th[data-dir="asc"]::after { content: " \\2191"; color: var(--ink); }
table.sortable th[data-dir="desc"]::after { content: " \\2193"; color: var(--ink); }
.heat td.cell { text-align: right; min-width: 70px; }
.scale { display: inline-flex; gap: 0; margin-left: 8px; vertical-align: middle; }
.scale span { width: 34px; height: 14px; font-size: 10px; text-align: center; line-height: 14px; }
.site-block { margin-top: 8px; }
.server { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px 10px; margin: 10px 0;
  break-inside: avoid; page-break-inside: avoid; }
.server header { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; }
.server header .id { font-weight: 700; font-size: 15px; }
.server header .meta { color: var(--muted); font-size: 13px; }
.bars { display: grid; grid-template-columns: 70px minmax(200px, 1fr) 370px; gap: 3px 10px; align-items: center;
  margin: 8px 0; font-size: 13px; }
.bar { position: relative; height: 16px; background: var(--free); border-radius: 3px; overflow: hidden;
  display: flex; }
.bar span { height: 100%; display: block; }
.seg-workload { background: var(--work); } .seg-overhead { background: var(--overhead); }
.seg-reserve { background: var(--reserve); } .seg-traffic { background: var(--traffic); }
.seg-stale { background: repeating-linear-gradient(45deg, var(--stale), var(--stale) 3px, #fff 3px, #fff 6px); }
.bars .fig { font-variant-numeric: tabular-nums; white-space: nowrap; }
.legend-row { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: var(--muted); margin: 4px 0 8px; }
.legend-row i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: -2px; }
table.instances { font-size: 13px; margin-top: 2px; }
.warn { color: #b3261e; }
.map-wrap { border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
#netmap { display: block; width: 100%; height: auto; }
#netmap text { fill: var(--ink); paint-order: stroke; stroke: #fbfcfd; stroke-width: 3px; }
.controls { margin: 8px 0; }
.controls select { font: inherit; padding: 2px 6px; }
ul.reasons li { margin: 4px 0; }
.chart { display: grid; grid-template-columns: 120px 1fr 140px; gap: 4px 10px; align-items: center; max-width: 760px; }
.chart .bar { height: 18px; }
.chart-title { font-weight: 600; margin: 14px 0 4px; }
table.md td:first-child { white-space: nowrap; }
code { background: var(--panel); padding: 0 3px; border-radius: 3px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { font-size: 10.5px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  .controls, nav.toc { display: none; }
  table.sortable th::after { content: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h2.page-break { break-before: page; page-break-before: always; }
  table, .server, .map-wrap, .chart { break-inside: avoid; page-break-inside: avoid; }
}
"""

JS = """
(function () {
  function key(cell) {
    var raw = cell.getAttribute('data-value');
    var text = raw !== null ? raw : cell.textContent.trim();
    var number = parseFloat(text.replace(/,/g, ''));
    return /^[-+]?[0-9][0-9,]*(\\.[0-9]+)?/.test(text) && !isNaN(number) ? [0, number] : [1, text.toLowerCase()];
  }
  function sortBy(th) {
    var table = th.closest('table');
    var body = table.tBodies[0];
    var column = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute('data-dir') !== 'asc';
    Array.prototype.forEach.call(th.parentNode.children, function (other) { other.removeAttribute('data-dir'); });
    th.setAttribute('data-dir', ascending ? 'asc' : 'desc');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[column]), y = key(b.cells[column]);
      var order = x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.addEventListener('click', function () { sortBy(th); });
  });
  var select = document.getElementById('service-select');
  function show(service) {
    document.querySelectorAll('#netmap .route').forEach(function (route) {
      var on = service === '*' || route.getAttribute('data-service') === service;
      route.style.display = on ? 'inline' : 'none';
    });
    document.querySelectorAll('tr[data-service]').forEach(function (row) {
      var on = service === '' || service === '*' || row.getAttribute('data-service') === service;
      row.style.display = on ? '' : 'none';
    });
  }
  if (select) {
    select.addEventListener('change', function () { show(select.value); });
    show(select.value);
  }
})();
"""
