// viewer.js: asyncio-trace's HTML view. Reads the trace asyncio-trace wrote into #trace-data and
// draws one lane per task (ready, running, waiting on X), the loop's lane with its four steps
// apart, arrows from each cause to the wake-up it caused, and a panel for the selected step.
// No network, no library. Step words: docs/03-the-loop.md.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('trace-data').textContent);
  const NS = 'http://www.w3.org/2000/svg';
  const LABELS = ['', 'Step 1: drop cancelled timers', 'Step 2: poll the selector and queue its events',
                  'Step 3: move due timers to the ready queue', 'Step 4: run what was ready'];
  const EXPLAIN = ['',
    'A cancelled timer stays in the heap until it reaches the head; step 1 drops it so that step 2 computes its timeout from a live timer.',
    'The only place the loop ever waits: zero when work is queued, until the next timer otherwise, forever when nothing is scheduled.',
    'Due timers go to the back of the ready queue: behind callbacks already queued and behind I/O handles from step 2.',
    'The count is taken once, before anything runs: whatever the callbacks queue waits for the next pass, after its select.'];
  const REASONS = { ready: 'ready queue not empty', stopping: 'stopping', timer: 'next timer', none: 'nothing scheduled' };
  const LEGEND = [
    ['step1', 'Step 1: drop cancelled timers', 'step1'], ['step2', 'Step 2: poll the selector (select)', 'step2'],
    ['step3', 'Step 3: move due timers', 'step3'], ['step4', 'Step 4: run what was ready', 'step4'],
    ['idle', 'a step with nothing to do', 'idle'], ['running', 'running: a step that awaited or yielded', 'running'],
    ['returned', 'running: the step that returned', 'returned'], ['failed', 'running: raised or cancelled', 'failed'],
    ['plain', 'a callback that is not a task step', 'plain'], ['skipped', 'skipped (cancelled handle)', 'skipped'],
    ['ready', 'ready: queued, waiting for step 4', 'ready'], ['waiting', 'waiting on what it awaited', 'waiting'],
    ['slow', 'slow: blocked the loop (at least ' + data.slow + ' s)', 'slow'],
    ['arrow-timer', 'cause: a timer fell due', 'timer', true], ['arrow-fd', 'cause: an fd was ready', 'fd', true],
    ['arrow-set_result', 'cause: a future completed', 'set-result', true],
    ['arrow-call_soon', 'cause: call_soon / a task created', 'call-soon', true],
    ['arrow-thread', 'cause: another thread or a signal', 'other-cause', true],
    ['selected', 'the selected step', 'selected']];
  const css = getComputedStyle(document.documentElement);
  const colour = (name) => css.getPropertyValue('--' + name).trim();

  // ------------------------------------------------------------ lanes and segments
  const lanes = [{ key: 'loop', name: 'loop: steps 1-4' }, { key: 'plain', name: 'callbacks (no task)' }];
  const laneOf = {};
  // Two tasks may share a name (example 07 starts a heartbeat twice): such lanes add the task's id.
  const named = {};
  data.tasks.forEach((t) => { named[t.name] = (named[t.name] || 0) + 1; });
  data.tasks.forEach((t) => lanes.push({ key: 't' + t.id, name: named[t.name] > 1 ? t.name + ' #' + t.id : t.name, task: t }));
  lanes.forEach((l, i) => { laneOf[l.key] = i; });
  const taskByName = {};
  data.tasks.forEach((t) => { (taskByName[t.name] = taskByName[t.name] || []).push(t); });

  // One segment per step of each pass (idle ones thin) and per callback of step 4.
  const segs = [], stops = [];
  data.passes.forEach((p, pi) => {
    p.segs = [];
    const add = (seg) => { seg.pass = pi; seg.i = segs.length; segs.push(seg); p.segs.push(seg); return seg; };
    const s2 = p.select;
    const stepIdle = [p.dropped.length === 0 && !p.heap_rebuilt, !s2 || s2.idle, p.timers.length === 0,
                      p.callbacks.length === 0];
    const d1 = s2 ? s2.begin - p.begin : 0, d2 = s2 ? s2.end - s2.begin : 0;
    const d3 = p.callbacks.length ? p.callbacks[0].begin - (s2 ? s2.end : p.begin) : 0;
    p.step = [null];
    [d1, d2, d3].forEach((d, k) => { p.step.push(add({ step: k + 1, idle: stepIdle[k], dur: Math.max(0, d) })); });
    if (p.callbacks.length === 0) {
      p.step.push(add({ step: 4, idle: true, dur: 0 }));
    } else {
      p.callbacks.forEach((cb, ci) => {
        // Real time when the stream has it (format version 2), on the virtual clock too; but a
        // callback that moved the virtual clock itself (a simulated blocking call) took that long.
        cb.took = cb.real !== null && cb.real !== undefined ? Math.max(cb.real, cb.end - cb.begin) : cb.end - cb.begin;
        cb.seg = add({ step: 4, idle: false, cb: cb, ci: ci, dur: Math.max(0, cb.took) });
        cb.slow = cb.finished && !cb.skipped && cb.took >= data.slow;
      });
      p.step.push(p.callbacks[0].seg);
    }
    const before = stops.length;
    for (let k = 1; k <= 4; k++) if (!stepIdle[k - 1]) stops.push({ pass: pi, step: k });
    if (stops.length === before) stops.push({ pass: pi, step: 4 });
  });

  // ------------------------------------------------------------ what each task did, and why
  // The n handles step 4 ran: the first were queued before the pass, then step 2's I/O handles,
  // then step 3's timers (docs/03-the-loop.md). Causes: the stream's own when it has them.
  const arrows = [];
  const taskState = {};  // id -> {state, since, what}
  data.tasks.forEach((t) => { taskState[t.id] = null; });
  const spans = [];  // {lane, x0seg, x0at, x1seg, x1at, kind, label}
  const open = {};   // task id -> open span
  const seen = {};  // a name can be reused: each creation takes the next task of that name
  const taskOf = (name) => {
    const t = (taskByName[name] || []).find((c) => !seen[c.id]) || null;
    if (t) seen[t.id] = true;
    return t;
  };
  const startSpan = (id, kind, seg, at, label) => {
    endSpan(id, seg, at);
    open[id] = { lane: laneOf['t' + id], kind: kind, s0: seg, a0: at, label: label || '' };
  };
  const endSpan = (id, seg, at) => {
    const o = open[id];
    if (!o) return;
    o.s1 = seg; o.a1 = at; spans.push(o); delete open[id];
  };
  data.passes.forEach((p, pi) => {
    p.created_before.forEach((name) => {
      const t = taskOf(name);
      if (t && !open[t.id]) startSpan(t.id, 'ready', p.segs[0], 0, '');
    });
    const n = p.callbacks.length, nt = p.timers.length, nio = Math.min(p.io.length, n - nt);
    p.callbacks.forEach((cb, ci) => {
      if (data.causes) {
        // The stream says why (format version 2): from the callback that scheduled it or completed
        // its future, or from the loop's step 3 (a timer) or step 2 (an fd, another thread, a signal).
        const c = cb.cause;
        if (c) {
          const fromPass = c.from_pass >= 0 ? data.passes[c.from_pass] : null;
          const src = fromPass ? fromPass.callbacks[c.from_callback] : null;
          c.lane = 'loop';
          if (src && src.seg) { c.seg = src.seg; c.lane = lanesOfCb(src); }
          else if (c.kind === 'timer') c.seg = p.step[3];
          else if (c.kind === 'fd' || c.kind === 'thread' || c.kind === 'signal') c.seg = p.step[2];
          else c.seg = null;  // queued by the loop itself (asyncio::run's main task): no arrow
          if (c.seg) arrows.push({ from: c.seg, fromLane: c.lane, to: cb.seg, kind: c.kind });
        }
      } else if (ci >= n - nt) {
        cb.cause = { kind: 'timer', seg: p.step[3] };
      } else if (ci >= n - nt - nio) {
        cb.cause = { kind: 'fd', seg: p.step[2], fd: p.io[ci - (n - nt - nio)].fd };
      }
      if (!data.causes && cb.cause) arrows.push({ from: cb.cause.seg, fromLane: 'loop', to: cb.seg, kind: cb.cause.kind });
      if (cb.task) {
        const o = open[cb.task];
        if (o && o.kind === 'waiting' && cb.cause && cb.cause.seg) startSpan(cb.task, 'ready', cb.cause.seg, 0.5);
        else if (o && o.kind === 'waiting') startSpan(cb.task, 'ready', p.segs[0], 0);
        startSpan(cb.task, 'running', cb.seg, 0);
      }
      cb.created.forEach((name) => {
        const t = taskOf(name);
        if (!t) return;
        startSpan(t.id, 'ready', cb.seg, 1);
        const first = data.causes ? null : firstStep(t.id, pi);
        if (first) arrows.push({ from: cb.seg, fromLane: lanesOfCb(cb), to: first.seg, kind: 'call_soon' });
      });
      if (cb.task) {
        if (cb.outcome === 'awaited') startSpan(cb.task, 'waiting', cb.seg, 1, 'waiting on ' + cb.awaited);
        else if (cb.outcome === 'yielded') startSpan(cb.task, 'ready', cb.seg, 1);
        else endSpan(cb.task, cb.seg, 1);
      }
    });
  });
  Object.keys(open).forEach((id) => endSpan(id, segs[segs.length - 1], 1));
  function lanesOfCb(cb) { return cb.task ? 't' + cb.task : 'plain'; }
  function firstStep(id, from) {
    for (let pi = from; pi < data.passes.length; pi++) {
      const cb = data.passes[pi].callbacks.find((c) => c.task === id);
      if (cb) return cb;
    }
    return null;
  }

  // ------------------------------------------------------------ drawing
  const LEFT = 230, TOP = 34, LANE = 40, GAP = 14;
  let axis = 'pass';
  // Two drawings side by side in one scrolling box: the lane names (sticky at its left edge, so
  // they stay put while the time axis scrolls) and the timeline, which slides under them.
  const names = document.createElementNS(NS, 'svg');
  names.id = 'lane-names';
  const svg = document.createElementNS(NS, 'svg');
  svg.style.marginLeft = -LEFT + 'px';
  document.getElementById('timeline').append(names, svg);
  const el = (parent, name, attrs, text) => {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    parent.appendChild(e);
    return e;
  };
  const total = data.passes.length ? data.passes[data.passes.length - 1].end - data.passes[0].begin : 0;
  function layout() {
    const scale = total > 0 ? 3000 / total : 0;
    let x = LEFT + 6, last = -1;
    segs.forEach((s) => {
      if (s.pass !== last) { x += GAP; last = s.pass; }
      let w;
      // By pass: a slot per step, a wider one for a slow callback (it must stand out on either axis).
      if (axis === 'pass') w = s.idle ? 10 : s.cb && s.cb.slow ? 170 : s.step === 4 ? 92 : s.step === 2 ? 80 : 56;
      else w = Math.max(s.idle ? 6 : 10, s.dur * scale);
      s.x = x; s.w = w; x += w;
    });
    return x + GAP;
  }
  const xAt = (s, at) => s.x + s.w * at;
  const laneY = (key) => TOP + laneOf[key] * LANE;

  function draw() {
    const width = layout();
    svg.textContent = '';
    svg.setAttribute('width', width);
    svg.setAttribute('height', TOP + lanes.length * LANE + 6);
    names.textContent = '';
    names.setAttribute('width', LEFT);
    names.setAttribute('height', TOP + lanes.length * LANE + 6);
    const defs = el(svg, 'defs', {});
    ['timer', 'fd', 'set_result', 'call_soon', 'thread', 'signal', 'other'].forEach((k) => {
      const m = el(defs, 'marker', { id: 'head-' + k, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
                                     markerHeight: 7, orient: 'auto-start-reverse' });
      el(m, 'path', { d: 'M0,0 L10,5 L0,10 z', fill: colour(arrowColour(k)) });
    });
    lanes.forEach((l, i) => {
      const g = el(svg, 'g', { 'class': 'lane', 'data-lane': l.key });
      el(g, 'rect', { 'class': 'lane-bg' + (i % 2 ? ' odd' : ''), x: 0, y: TOP + i * LANE, width: width, height: LANE });
    });
    el(svg, 'g', { id: 'selection' });
    // Pass headers and the loop's four steps.
    data.passes.forEach((p, pi) => {
      const first = p.segs[0], lastSeg = p.segs[p.segs.length - 1];
      const g = el(svg, 'g', { 'class': 'pass', 'data-pass': p.index });
      const hit = el(g, 'rect', { 'class': 'hit', x: first.x - 4, y: 0, width: lastSeg.x + lastSeg.w - first.x + 8,
                                  height: TOP - 2, fill: pi % 2 ? '#e9ecef' : '#f8f9fa' });
      hit.addEventListener('click', () => select(stops.findIndex((s) => s.pass === pi)));
      el(g, 'text', { 'class': 'pass-no', x: (first.x + lastSeg.x + lastSeg.w) / 2, y: TOP / 2 }, String(p.index));
      el(g, 'line', { x1: first.x - GAP / 2, x2: first.x - GAP / 2, y1: 0, y2: TOP + lanes.length * LANE, stroke: '#bbb' });
      for (let k = 1; k <= 3; k++) block(g, p.step[k], p.step[k], 'loop', p.step[k].idle ? 'idle' : 'step' + k, stepText(p, k), k, pi);
      const c = p.callbacks;
      if (c.length) block(g, c[0].seg, c[c.length - 1].seg, 'loop', 'step4', 'step 4: ' + c.length, 4, pi);
      else block(g, p.step[4], p.step[4], 'loop', 'idle', '', 4, pi);
    });
    // Task spans under the callbacks.
    spans.forEach((s) => {
      const x0 = xAt(s.s0, s.a0), x1 = xAt(s.s1, s.a1);
      if (s.kind === 'running' || x1 - x0 < 1) return;
      const r = el(svg, 'rect', { x: x0, y: TOP + s.lane * LANE + 8, width: x1 - x0, height: LANE - 16,
                                  fill: colour(s.kind), 'data-key': s.kind, 'class': 'span ' + s.kind });
      el(r, 'title', {}, lanes[s.lane].name + ': ' + (s.label || s.kind));
      if (s.label && x1 - x0 > 120) {
        el(svg, 'text', { 'class': 'in dark', x: x0 + 6, y: TOP + s.lane * LANE + LANE / 2 }, clip(s.label, (x1 - x0 - 10) / 8));
      }
    });
    data.passes.forEach((p, pi) => p.callbacks.forEach((cb) => {
      const key = cb.slow ? 'slow' : cb.skipped ? 'skipped' : !cb.task ? 'plain' : cb.outcome === 'returned' ? 'returned'
        : cb.outcome === 'raised' || cb.outcome === 'cancelled' ? 'failed' : 'running';
      const g = el(svg, 'g', { 'class': 'callback' + (cb.slow ? ' is-slow' : ''), 'data-pass': p.index });
      const s = cb.seg, y = laneY(lanesOfCb(cb));
      const r = el(g, 'rect', { 'class': 'hit' + (cb.slow ? ' slow' : ''), x: s.x + 1, y: y + 4, width: Math.max(2, s.w - 2),
                                height: LANE - 8, rx: 3, fill: colour(key), 'data-key': key });
      if (cb.slow) r.setAttribute('data-slow', 'slow');
      el(r, 'title', {}, describe(cb));
      const label = cb.slow ? 'blocked ' + cb.took.toFixed(3) + ' s'
        : cb.skipped ? 'skipped' : cb.outcome || cb.handle;
      if (s.w > 40) el(g, 'text', { 'class': 'in' + (cb.slow ? ' slow-label' : ''), x: s.x + 5, y: y + LANE / 2 }, clip(label, (s.w - 8) / 7.5));
      r.addEventListener('click', () => select(stops.findIndex((t) => t.pass === pi && t.step === 4)));
    }));
    // Cause -> wake-up arrows.
    arrows.forEach((a) => {
      const fromLane = a.fromLane, toLane = lanesOfCb(a.to.cb);
      const x0 = a.from.x + a.from.w / 2, y0 = laneY(fromLane) + LANE / 2;
      const x1 = a.to.x + Math.min(8, a.to.w / 2), y1 = laneY(toLane) + (laneOf[toLane] > laneOf[fromLane] ? 4 : LANE - 4);
      const bend = Math.max(20, Math.abs(y1 - y0) / 2);
      el(svg, 'path', { 'class': 'arrow', 'data-kind': a.kind, stroke: colour(arrowColour(a.kind)),
                        'data-key': 'arrow-' + (a.kind === 'signal' ? 'thread' : a.kind), 'marker-end': 'url(#head-' + a.kind + ')',
                        d: 'M' + x0 + ',' + y0 + ' C' + x0 + ',' + (y0 + (y1 > y0 ? bend : -bend)) + ' ' + x1 + ',' +
                           (y1 - (y1 > y0 ? bend : -bend)) + ' ' + x1 + ',' + y1 });
    });
    // Lane names in their own drawing, which the page keeps at the box's left edge.
    lanes.forEach((l, i) => {
      el(names, 'rect', { 'class': 'lane-bg' + (i % 2 ? ' odd' : ''), x: 0, y: TOP + i * LANE, width: LEFT, height: LANE });
      el(names, 'text', { 'class': 'lane-name', x: 8, y: TOP + i * LANE + LANE / 2 },
         clip(l.task ? 'task ' + l.name : l.name, 22));
    });
    el(names, 'text', { 'class': 'lane-name', x: 8, y: TOP / 2 }, 'pass');
    // The legend names every colour drawn (so far: the time axis may drop a zero-width span).
    document.querySelectorAll('#timeline [data-key]').forEach((e) => drawnKeys.add(e.getAttribute('data-key')));
    if (document.querySelector('#timeline [data-slow]')) drawnKeys.add('slow');
    drawLegend();
    document.body.setAttribute('data-drawn-passes', String(data.passes.length));
    document.body.setAttribute('data-axis', axis);
  }
  function block(g, s0, s1, lane, key, text, step, pi) {
    const r = el(g, 'rect', { 'class': 'hit step', x: s0.x + 1, y: laneY(lane) + 4, width: Math.max(2, s1.x + s1.w - s0.x - 2),
                              height: LANE - 8, fill: colour(key), 'data-key': key, 'data-step': step });
    el(r, 'title', {}, LABELS[step] + (text ? ' (' + text + ')' : ''));
    if (text && s1.x + s1.w - s0.x > 50) el(g, 'text', { 'class': 'in', x: s0.x + 5, y: laneY(lane) + LANE / 2 },
                                          clip(text, (s1.x + s1.w - s0.x - 8) / 7.5));
    r.addEventListener('click', () => { const k = stops.findIndex((s) => s.pass === pi && s.step === step); if (k >= 0) select(k); });
  }
  function stepText(p, k) {
    if (k === 1) return p.dropped.length ? 'dropped ' + p.dropped.length : '';
    if (k === 2) return p.select && !p.select.idle ? 'select ' + (p.select.end - p.select.begin).toFixed(3) + ' s' : '';
    return p.timers.length ? p.timers.length + ' due' : '';
  }
  function arrowColour(kind) {
    return { timer: 'timer', fd: 'fd', set_result: 'set-result', call_soon: 'call-soon', thread: 'other-cause',
             signal: 'other-cause' }[kind] || 'other-cause';
  }
  function clip(text, chars) {
    chars = Math.max(3, Math.floor(chars));
    return text.length > chars ? text.slice(0, chars - 1) + '\u2026' : text;
  }
  function describe(cb) {
    let s = (cb.skipped ? 'skipped (cancelled) ' : '') + cb.handle + (cb.task ? ' [' + cb.name + ']' : '');
    if (cb.outcome) s += ' -> ' + cb.outcome + (cb.outcome === 'awaited' ? ' ' + cb.awaited : '');
    if (cb.at) s += ' at ' + cb.at;
    if (cb.finished) s += ' (' + (cb.end - cb.begin).toFixed(6) + ' s)';
    if (cb.slow) s += ': blocked the loop for ' + cb.took.toFixed(6) + ' s';
    if (cb.raised) s += ', raised ' + cb.raised;
    if (cb.cause) s += ' <- ' + causeWords(cb.cause);
    return s;
  }
  function causeWords(c) {
    if (c.words) return c.words;
    if (c.kind === 'timer') return 'a timer fell due (step 3)';
    if (c.kind === 'fd') return 'fd ' + c.fd + ' ready (step 2)';
    return c.kind;
  }

  // ------------------------------------------------------------ legend
  // One entry per colour the timeline uses (and the selection's): a short legend leaves the panel
  // its room at 1280x720.
  const legend = document.getElementById('legend');
  const drawnKeys = new Set(['selected']);
  function drawLegend() {
    legend.textContent = '';
    LEGEND.forEach(([key, words, name, line]) => {
      if (!drawnKeys.has(key)) return;
      const item = document.createElement('span');
      item.className = 'legend-item';
      item.setAttribute('data-key', key);
      const sw = document.createElement('span');
      sw.className = 'swatch' + (line ? ' line' : '');
      if (line) sw.style.borderTopColor = colour(name); else sw.style.background = colour(name);
      if (key === 'slow') sw.style.border = '3px solid #7a0000';
      item.appendChild(sw);
      item.appendChild(document.createTextNode(words));
      legend.appendChild(item);
    });
  }

  // ------------------------------------------------------------ the panel
  const $ = (id) => document.getElementById(id);
  function list(ol, items, empty) {
    ol.textContent = '';
    if (!items.length) { const li = document.createElement('li'); li.className = 'empty'; li.textContent = empty; ol.appendChild(li); }
    items.forEach((t) => { const li = document.createElement('li'); li.textContent = t; ol.appendChild(li); });
  }
  const label = (h) => h.handle + (h.name ? ' [' + h.name + ']' : '');
  // The ready queue and the heap after a step: as the stream recorded them (p.tables, format
  // version 2), else what the pass's order implies.
  const tablesAt = (pi, step) => (data.passes[pi].tables || [])[step] || null;
  function readyAfter(pi, step) {
    const t = tablesAt(pi, step);
    if (t) return t.ready;
    const p = data.passes[pi], c = p.callbacks, n = c.length, nt = p.timers.length, nio = Math.min(p.io.length, n - nt);
    if (step === 4) {
      const next = data.passes[pi + 1];
      if (!next || next.loop !== p.loop) return [];
      return next.callbacks.slice(0, next.callbacks.length - next.timers.length - Math.min(next.io.length, next.callbacks.length - next.timers.length)).map(label);
    }
    const upto = step === 1 ? n - nt - nio : step === 2 ? n - nt : n;
    return c.slice(0, Math.max(0, upto)).map(label);
  }
  function heapAt(pi, step) {
    const t = tablesAt(pi, step);
    if (t) return t.heap_size > t.heap.length ? t.heap.concat(['\u2026 ' + (t.heap_size - t.heap.length) + ' more']) : t.heap;
    const p = data.passes[pi], out = [];
    if (step >= 3) p.timers.forEach((t) => out.push('moved out: ' + t.handle + ' due ' + t.when.toFixed(6)));
    if (p.select && p.select.reason === 'timer' && p.select.timeout !== null)
      out.push('head due at ' + (p.select.begin + p.select.timeout).toFixed(6) + ' (step 2\'s timeout)');
    if (p.select && p.select.reason === 'none') out.push('empty (step 2 could block forever)');
    return out;
  }
  function tasksAfter(pi, step) {
    const lastSeg = step === 4 ? data.passes[pi].segs[data.passes[pi].segs.length - 1] : data.passes[pi].step[step];
    const edge = lastSeg.i;
    const rows = [];
    data.tasks.forEach((t) => {
      let state = 'not created yet', running = false;
      spans.forEach((s) => {
        if (lanes[s.lane].task !== t || s.s0.i > edge) return;
        if (s.kind === 'running' && step === 4 && s.s0.pass === pi) running = true;
        if (s.s1.i > edge || (s.s1.i === edge && s.a1 === 1 && s.kind !== 'running')) {
          state = s.kind === 'waiting' ? s.label + ' since pass ' + data.passes[s.s0.pass].index : s.kind;
        } else if (s.s1.i <= edge) {
          state = 'done';
        }
      });
      if (state === 'done') state = t.state === 'pending' ? 'pending' : t.state;
      rows.push([lanes[laneOf['t' + t.id]].name, (running ? 'ran in this step; now ' : '') + state, running]);
    });
    return rows;
  }
  function outputUpTo(pi, step) {
    const box = $('output');
    box.textContent = '';
    let now = null;
    const emit = (text, where, isNow) => {
      text.replace(/\n$/, '').split('\n').forEach((line) => {
        const d = document.createElement('div');
        d.className = 'line' + (isNow ? ' now' : '');
        d.textContent = line;
        const w = document.createElement('span');
        w.className = 'where';
        w.textContent = '  ' + where;
        d.appendChild(w);
        box.appendChild(d);
        if (isNow) now = now || d;
      });
    };
    for (let i = 0; i <= pi; i++) {
      const p = data.passes[i];
      if (p.output_before) emit(p.output_before, 'before pass ' + p.index, false);
      if (i === pi && step < 4) break;
      p.callbacks.forEach((cb) => { if (cb.output) emit(cb.output, 'pass ' + p.index + ', ' + label(cb), i === pi); });
    }
    if (pi === data.passes.length - 1 && step === 4 && data.trailing_output) emit(data.trailing_output, 'after the last pass', false);
    if (!box.firstChild) box.textContent = '(nothing yet)';
    // Show the newest lines: those of the selected step, or the last printed before it.
    const pane = box.parentNode;
    pane.scrollTop = now ? now.offsetTop - pane.offsetTop - 40 : pane.scrollHeight;
  }

  let current = 0;
  function select(k) {
    if (k < 0 || !stops.length) return;
    current = Math.max(0, Math.min(stops.length - 1, k));
    const st = stops[current], p = data.passes[st.pass];
    document.body.setAttribute('data-selected-pass', String(p.index));
    document.body.setAttribute('data-selected-step', String(st.step));
    document.body.setAttribute('data-stop', String(current));
    $('where').textContent = 'pass ' + p.index + ' / ' + data.passes[data.passes.length - 1].index + ', step ' + st.step;
    // Highlight: the pass outlined, the step's columns banded.
    const sel = $('selection');
    sel.textContent = '';
    const f = p.segs[0], l = p.segs[p.segs.length - 1];
    const s0 = st.step === 4 ? p.step[4] : p.step[st.step], s1 = st.step === 4 ? l : p.step[st.step];
    el(sel, 'rect', { 'class': 'sel-band', x: s0.x, y: 0, width: s1.x + s1.w - s0.x, height: TOP + lanes.length * LANE });
    el(sel, 'rect', { 'class': 'sel-pass', x: f.x - 5, y: 1, width: l.x + l.w - f.x + 10, height: TOP + lanes.length * LANE - 2 });
    const box = $('timeline-box');
    const mid = (s0.x + s1.x + s1.w) / 2;
    if (mid < box.scrollLeft + LEFT + 40 || mid > box.scrollLeft + box.clientWidth - 40)
      box.scrollLeft = Math.max(0, mid - (box.clientWidth + LEFT) / 2);
    // The panel.
    $('step-title').textContent = 'Pass ' + p.index + (p.loop !== 1 ? ' (loop ' + p.loop + ')' : '') + ' \u00b7 ' + LABELS[st.step];
    $('step-explain').textContent = EXPLAIN[st.step];
    $('step-facts').textContent = facts(p, st.step);
    list($('ready'), readyAfter(st.pass, st.step), 'empty');
    if (st.step === 4 && p.callbacks.length) $('ready').previousElementSibling.textContent = 'Ready queue, for the next pass';
    else $('ready').previousElementSibling.textContent = 'Ready queue after this step';
    const tables = tablesAt(st.pass, st.step);
    $('heap').previousElementSibling.textContent = tables
      ? 'Timer heap: ' + (tables.heap_size ? tables.heap_size + (tables.heap_size === 1 ? ' timer' : ' timers') : 'empty') : 'Timer heap';
    list($('heap'), heapAt(st.pass, st.step), tables ? 'no timer' : 'not recorded in this trace');
    const body = $('tasks').tBodies[0];
    body.textContent = '';
    tasksAfter(st.pass, st.step).forEach(([name, state, running]) => {
      const tr = body.insertRow();
      if (running) tr.className = 'running';
      tr.insertCell().textContent = name;
      tr.insertCell().textContent = state;
    });
    outputUpTo(st.pass, st.step);
  }
  function facts(p, step) {
    if (step === 1) return p.dropped.length + ' cancelled timer(s) dropped' + (p.heap_rebuilt ? '; heap rebuilt ' + p.heap_rebuilt[0] + ' -> ' + p.heap_rebuilt[1] : '') + '.';
    if (step === 2) {
      const s = p.select;
      if (!s) return 'No select in this pass.';
      return s.selector + ', timeout=' + (s.timeout === null ? 'None' : s.timeout.toFixed(6)) + ' (' + (REASONS[s.reason] || s.reason) +
        '), waited ' + (s.end - s.begin).toFixed(6) + ' s, ' + s.events + ' event(s)' +
        p.io.map((e) => '; fd ' + e.fd + (e.mask === 'read' ? ' readable' : ' writable') + ' -> ' + label(e)).join('') + '.';
    }
    if (step === 3) return p.timers.map((t) => label(t) + ' due at ' + t.when.toFixed(6) + ', ' + t.late.toFixed(6) + ' s late').join('; ') + '.';
    const slow = p.callbacks.filter((c) => c.slow);
    return 'Ran ' + p.callbacks.length + ' callback(s): ' + p.callbacks.map(describe).join('; ') + '.' +
      (slow.length ? ' SLOW: ' + slow.map((c) => label(c) + ' blocked the loop for ' + (c.end - c.begin).toFixed(3) + ' s').join(', ') + '.' : '');
  }
  function passStop(dir) {
    const pi = stops[current].pass + dir;
    const i = stops.findIndex((s) => s.pass === pi);
    return i < 0 ? current : i;
  }

  document.addEventListener('keydown', (e) => {
    let k = null;
    if (e.key === 'ArrowRight') k = e.shiftKey ? passStop(1) : current + 1;
    else if (e.key === 'ArrowLeft') k = e.shiftKey ? passStop(-1) : current - 1;
    else if (e.key === 'Home') k = 0;
    else if (e.key === 'End') k = stops.length - 1;
    else if (e.key === 't' || e.key === 'T') { toggleAxis(); e.preventDefault(); return; }
    if (k === null) return;
    e.preventDefault();
    select(k);
  });
  function toggleAxis() {
    axis = axis === 'pass' ? 'time' : 'pass';
    $('axis').textContent = axis === 'pass' ? 'axis: by pass' : 'axis: by time';
    draw();
    select(current);
  }
  $('prev-step').addEventListener('click', () => select(current - 1));
  $('next-step').addEventListener('click', () => select(current + 1));
  $('prev-pass').addEventListener('click', () => select(passStop(-1)));
  $('next-pass').addEventListener('click', () => select(passStop(1)));
  $('axis').addEventListener('click', toggleAxis);
  document.body.setAttribute('data-stops', String(stops.length));
  draw();
  select(0);
})();
