// 02_superloop_async: 01's super-loop as three tasks on one event loop; each job now simply waits.
// Builds on 01: adds asyncio::run, a task per job, asyncio::sleep, and futures set by "interrupts".
// Chapter: docs/02-superloop.md (its trace: docs/03-the-loop.md) · Python twin: examples/02_superloop_async.py
#include <cstdio>

#include "asyncio/asyncio.hpp"

namespace {
constexpr double TICK = 0.02;  // one tick of 01 is now 20 ms of real time
constexpr int END_TICK = 38, BLINK_EVERY = 10, DEBOUNCE = 3;
struct PinChange { int tick; bool level; };
constexpr PinChange BUTTON_SCRIPT[] = {{3, true}, {11, false}, {13, true}, {14, false}, {23, true}, {33, false}};
struct Sample { int tick; double celsius; };
constexpr Sample SENSOR_SCRIPT[] = {{12, 21.5}, {34, 22.0}};

// What the interrupt handlers write. A task that wants the next event parks a pending future
// here; the handler resolves it with the tick of the event. No flag is polled.
struct Board {
  double start = 0;  // loop.time() at tick 0
  bool button_pin = false;
  double sensor_register = 0;
  asyncio::Future<int> button_edge, sensor_ready;
  int toggles = 0, presses = 0, readings = 0;
};

// The simulated hardware: each pin change and conversion is a timer at its own tick's deadline.
void schedule_hardware(asyncio::BaseEventLoop& loop, Board& b) {
  for (const PinChange c : BUTTON_SCRIPT)
    loop.call_at(b.start + c.tick * TICK, [&b, c] {
      const bool rising = c.level && !b.button_pin;
      b.button_pin = c.level;
      if (rising && b.button_edge.valid() && !b.button_edge.done()) b.button_edge.set_result(c.tick);
    }, "button_interrupt");
  for (const Sample s : SENSOR_SCRIPT)
    loop.call_at(b.start + s.tick * TICK, [&b, s] {
      b.sensor_register = s.celsius;
      if (b.sensor_ready.valid() && !b.sensor_ready.done()) b.sensor_ready.set_result(s.tick);
    }, "sensor_interrupt");
}

// Waits end at a tick's own deadline: nothing drifts (docs/02); `where` shows the caller's line in a trace.
void sleep_until_tick(const Board& b, int tick, asyncio::source_location where = asyncio::source_location::current()) {
  asyncio::sleep(b.start + tick * TICK - asyncio::get_running_loop().time(), where);
}

void blink(Board& b) {
  bool led = false;  // 01 kept this (and last_blink) outside its loop; here it is a local
  for (int tick = 0; tick < END_TICK; tick += BLINK_EVERY) {
    sleep_until_tick(b, tick);
    led = !led;
    ++b.toggles;
    std::printf("tick %2d: led %s\n", tick, led ? "on" : "off");
  }
}

void button(Board& b) {
  for (;;) {
    b.button_edge = asyncio::get_running_loop().create_future<int>();
    const int edge = asyncio::await(b.button_edge);  // parked until the interrupt: no polling
    sleep_until_tick(b, edge + DEBOUNCE);             // 01's check_at, as a plain wait
    if (b.button_pin) ++b.presses;
    std::printf("tick %2d: button %s\n", edge + DEBOUNCE, b.button_pin ? "pressed" : "bounce ignored");
  }
}

void sensor(Board& b) {
  for (;;) {
    b.sensor_ready = asyncio::get_running_loop().create_future<int>();
    const int tick = asyncio::await(b.sensor_ready);
    ++b.readings;
    std::printf("tick %2d: sensor reads %.1f C\n", tick, b.sensor_register);
  }
}

void main_task(Board& b) {
  asyncio::BaseEventLoop& loop = asyncio::get_running_loop();
  b.start = loop.time();
  schedule_hardware(loop, b);
  asyncio::create_task(asyncio::TaskOptions{"blink"}, blink, std::ref(b));
  asyncio::create_task(asyncio::TaskOptions{"button"}, button, std::ref(b));
  asyncio::create_task(asyncio::TaskOptions{"sensor"}, sensor, std::ref(b));
  sleep_until_tick(b, END_TICK);  // returning then ends asyncio::run, which cancels button and sensor
  std::printf("tick %2d: stop after %d led toggles, %d presses, %d readings\n", END_TICK, b.toggles, b.presses, b.readings);
}
}  // namespace

int main() {
  Board board;  // outlives the loop: the cancelled tasks unwind after main_task has returned
  asyncio::run(main_task, std::ref(board));
}
