// render_html.cpp: asyncio-trace's writers for other tools: Chrome trace-event JSON (Perfetto)
// and the self-contained HTML page. A C++-only tool. The text writer is render.cpp.
// Course: docs/trace.md
#include <cstdio>
#include <sstream>

#include "render.hpp"

namespace asyncio_trace {

namespace {

std::string plural(long n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The words of trace.cpp's to_string(TimeoutReason), as render.cpp prints them.
std::string reason_words(const std::string& reason) {
  if (reason == "ready") return "ready queue not empty";
  if (reason == "stopping") return "stopping";
  if (reason == "timer") return "next timer";
  if (reason == "none") return "nothing scheduled";
  return reason;
}

bool step2_idle(const Pass& p) { return p.timeout && *p.timeout == 0 && p.nevents == 0 && p.reason == "ready"; }

}  // namespace

// ---------------------------------------------------------------- JSON and HTML helpers

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default:
        if (u < 0x20) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(u));
          out += esc;
        } else {
          out += c;
        }
    }
  }
  // U+2028 and U+2029 end a line inside a <script> in old engines: escape them.
  for (std::size_t at; (at = out.find("\xE2\x80\xA8")) != std::string::npos;) out.replace(at, 3, "\\u2028");
  for (std::size_t at; (at = out.find("\xE2\x80\xA9")) != std::string::npos;) out.replace(at, 3, "\\u2029");
  return out + "\"";
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {
std::string micros(double s) {
  char text[48];
  std::snprintf(text, sizeof text, "%.3f", s * 1e6);
  return text;
}
}  // namespace

// ---------------------------------------------------------------- Chrome trace events

void write_chrome(std::ostream& out, const TraceBuilder& trace) {
  const auto ts = [&](double t) { return micros(t); };
  out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  out << R"({"ph":"M","pid":1,"tid":0,"name":"process_name","args":{"name":"asyncio event loop"}})";
  out << ",\n" << R"({"ph":"M","pid":1,"tid":0,"name":"thread_name","args":{"name":"loop"}})";
  out << ",\n" << R"({"ph":"M","pid":1,"tid":0,"name":"thread_sort_index","args":{"sort_index":0}})";
  for (const auto& [id, t] : trace.tasks()) {
    out << ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":" << id << ",\"name\":\"thread_name\",\"args\":{\"name\":"
        << json_string("task " + t.name) << "}}";
    out << ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":" << id << ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" << id
        << "}}";
  }
  for (const Pass& p : trace.passes()) {
    out << ",\n{\"ph\":\"i\",\"s\":\"g\",\"pid\":1,\"tid\":0,\"ts\":" << ts(p.begin) << ",\"name\":\"pass "
        << p.index << "\",\"cat\":\"pass\",\"args\":{\"pass\":" << p.index << "}}";
    if (!p.selector.empty()) {
      out << ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":" << ts(p.select_begin)
          << ",\"dur\":" << micros(p.select_end - p.select_begin) << ",\"name\":\"select (idle)\",\"cat\":\"select\""
          << ",\"args\":{\"pass\":" << p.index << ",\"selector\":" << json_string(p.selector)
          << ",\"timeout\":" << (p.timeout ? seconds(*p.timeout) : "null") << ",\"reason\":" << json_string(reason_words(p.reason))
          << ",\"events\":" << p.nevents << "}}";
    }
    for (const Callback& cb : p.callbacks) {
      if (cb.skipped) continue;
      out << ",\n{\"ph\":\"X\",\"pid\":1,\"tid\":" << cb.task << ",\"ts\":" << ts(cb.begin)
          << ",\"dur\":" << micros(cb.end - cb.begin) << ",\"name\":" << json_string(cb.handle)
          << ",\"cat\":\"callback\",\"args\":{\"pass\":" << p.index;
      if (cb.task) out << ",\"task\":" << json_string(cb.task_name);
      if (!cb.outcome.empty()) out << ",\"outcome\":" << json_string(cb.outcome);
      if (!cb.awaited.empty()) out << ",\"awaited\":" << json_string(cb.awaited);
      out << "}}";
    }
  }
  out << "\n]}\n";
}

// ---------------------------------------------------------------- HTML timeline

namespace {

const char* const HTML_STYLE = R"CSS(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
#timeline { overflow-x: auto; border: 1px solid #ccc; }
#timeline text { font: 11px monospace; }
.returned { fill: #4a4; } .awaited { fill: #48c; } .yielded { fill: #8ac; }
.raised, .cancelled { fill: #c44; } .plain { fill: #999; } .select { fill: #ddd; }
#details { white-space: pre; font: 12px monospace; background: #f6f6f6; padding: 8px; min-height: 3em; }
)CSS";

const char* const HTML_SCRIPT = R"JS(
(function () {
  var data = JSON.parse(document.getElementById('trace-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var rows = [{ id: 0, name: 'loop: select and plain callbacks' }].concat(data.tasks);
  var rowOf = {}; rows.forEach(function (r, i) { rowOf[r.id] = i; });
  var colW = 46, rowH = 22, left = 230, top = 24;
  var svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('width', left + colW * data.passes.length + 10);
  svg.setAttribute('height', top + rowH * rows.length + 10);
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  rows.forEach(function (r, i) {
    svg.appendChild(el('text', { x: 4, y: top + i * rowH + 15 }, r.name));
  });
  data.passes.forEach(function (p, c) {
    var x = left + c * colW;
    var g = el('g', { 'class': 'pass', 'data-pass': p.index });
    g.appendChild(el('text', { x: x + 4, y: 14 }, String(p.index)));
    g.appendChild(el('line', { x1: x, y1: 0, x2: x, y2: top + rowH * rows.length, stroke: '#eee' }));
    if (p.select) {
      var s = el('rect', { x: x + 2, y: top + 3, width: colW - 4, height: rowH - 6, 'class': 'select' });
      s.appendChild(el('title', {}, 'pass ' + p.index + ': ' + p.select));
      g.appendChild(s);
    }
    var used = {};
    p.callbacks.forEach(function (cb) {
      var r = rowOf[cb.task] || 0, k = used[r] || 0; used[r] = k + 1;
      var rect = el('rect', { x: x + 3 + k * 6, y: top + r * rowH + 4, width: Math.max(6, colW - 6 - k * 6),
                              height: rowH - 8, 'class': cb.outcome || 'plain' });
      rect.appendChild(el('title', {}, cb.label));
      g.appendChild(rect);
    });
    g.addEventListener('click', function () { document.getElementById('details').textContent = p.text; });
    svg.appendChild(g);
  });
  document.getElementById('timeline').appendChild(svg);
  document.body.setAttribute('data-drawn-passes', String(data.passes.length));
})();
)JS";

}  // namespace

void write_html(std::ostream& out, const TraceBuilder& trace, const std::string& title) {
  TextOptions plain;
  TextRenderer text(out, plain);
  std::ostringstream data;
  data << "{\"passes\":[";
  bool first = true;
  for (const Pass& p : trace.passes()) {
    data << (first ? "" : ",") << "\n{\"index\":" << p.index << ",\"select\":";
    first = false;
    if (p.selector.empty() || step2_idle(p)) {
      data << "null";
    } else {
      data << json_string(p.selector + " waited " + seconds(p.select_end - p.select_begin) + " s (" +
                          reason_words(p.reason) + "), " + plural(p.nevents, "event", "events"));
    }
    data << ",\"text\":" << json_string(text.block(p, true)) << ",\"callbacks\":[";
    bool first_cb = true;
    for (const Callback& cb : p.callbacks) {
      if (cb.skipped) continue;
      std::string label = cb.handle;
      if (cb.task) label += " [" + cb.task_name + "]";
      if (!cb.outcome.empty()) label += " -> " + cb.outcome + (cb.awaited.empty() ? "" : " " + cb.awaited);
      data << (first_cb ? "" : ",") << "{\"task\":" << cb.task << ",\"outcome\":" << json_string(cb.outcome)
           << ",\"label\":" << json_string(label) << "}";
      first_cb = false;
    }
    data << "]}";
  }
  data << "],\"tasks\":[";
  first = true;
  for (const auto& [id, t] : trace.tasks()) {
    data << (first ? "" : ",") << "{\"id\":" << id << ",\"name\":" << json_string("task " + t.name) << "}";
    first = false;
  }
  data << "]}";

  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>asyncio-trace: "
      << html_escape(title) << "</title>\n<style>" << HTML_STYLE << "</style>\n</head>\n<body>\n";
  out << "<h1>asyncio-trace: " << html_escape(title) << "</h1>\n";
  out << "<p>" << trace.passes().size()
      << " passes of the loop, one column each. Rows: the loop's selector wait and plain callbacks, then one per "
         "task. Colours: green returned, blue awaited, light blue yielded, red raised or cancelled. Click a column "
         "for that pass's four steps.</p>\n";
  out << "<div id=\"timeline\"></div>\n<div id=\"details\">(click a pass)</div>\n";
  out << "<table>\n<tr><th>task</th><th>steps</th><th>state</th><th>last repr</th></tr>\n";
  for (const auto& [id, t] : trace.tasks())
    out << "<tr><td>" << html_escape(t.name) << "</td><td>" << t.steps << "</td><td>" << html_escape(t.state)
        << "</td><td>" << html_escape(t.repr) << "</td></tr>\n";
  out << "</table>\n";
  out << "<script type=\"application/json\" id=\"trace-data\">" << data.str() << "</script>\n";
  out << "<script>" << HTML_SCRIPT << "</script>\n</body>\n</html>\n";
}

}  // namespace asyncio_trace
