// superloop_heartbeat: chapter 2's exercise 3 on the super-loop: a fourth job prints a heartbeat
// every 15 ticks, right after the blink job.
// Everything else is examples/01_superloop.cpp. Quoted in docs/answers/02.md; twin: superloop_heartbeat.py.
#include <cstdio>

namespace {

// Time is a tick counter, not a clock, so every run prints the same lines.
constexpr int END_TICK = 38;
constexpr int BLINK_EVERY = 10;  // toggle the LED every 10 ticks
constexpr int DEBOUNCE = 3;
constexpr int HEARTBEAT_EVERY = 15;  // exercise 3      // a press counts if the pin is still down 3 ticks after its edge

// The simulated world: at these ticks the button pin changes level (true = pressed). The pair
// at 13/14 is contact bounce: a one-tick blip that must not count as a press.
struct PinChange { int tick; bool level; };
constexpr PinChange BUTTON_SCRIPT[] = {{3, true}, {11, false}, {13, true}, {14, false}, {23, true}, {33, false}};
// ...and at these ticks the sensor finishes a conversion (a "data ready" flag, as a chip raises).
struct Sample { int tick; double celsius; };
constexpr Sample SENSOR_SCRIPT[] = {{12, 21.5}, {34, 22.0}};

// What an interrupt handler would write and the loop reads: plain variables.
bool button_pin = false;
bool sensor_ready = false;
double sensor_register = 0;

// The "hardware" for one tick: change the pins and flags the scripts name.
void hardware(int tick) {
  for (const PinChange& c : BUTTON_SCRIPT)
    if (c.tick == tick) button_pin = c.level;
  for (const Sample& s : SENSOR_SCRIPT)
    if (s.tick == tick) { sensor_register = s.celsius; sensor_ready = true; }
}

}  // namespace

int main() {
  // Each job keeps its own state between passes: this is what a task's local variables will
  // hold in 02_superloop_async, where the code can simply wait instead.
  int last_blink = -BLINK_EVERY;  // so the first toggle happens at tick 0
  bool led = false;
  bool last_pin = false;
  int check_at = -1;  // tick at which to re-read the pin after an edge; -1: not debouncing
  int toggles = 0, presses = 0, readings = 0;
  int last_heartbeat = -HEARTBEAT_EVERY;

  for (int tick = 0; tick < END_TICK; ++tick) {  // one pass of the super-loop per tick
    hardware(tick);

    // Job 1: blink. Never wait for the next toggle; ask "is it time yet?" on every pass.
    if (tick - last_blink >= BLINK_EVERY) {
      last_blink = tick;
      led = !led;
      ++toggles;
      std::printf("tick %2d: led %s\n", tick, led ? "on" : "off");
    }

    // Job 4 (exercise 3): the heartbeat, right after the blink.
    if (tick - last_heartbeat >= HEARTBEAT_EVERY) {
      last_heartbeat = tick;
      std::printf("tick %2d: heartbeat\n", tick);
    }

    // Job 2: the button. A rising edge starts a debounce; DEBOUNCE ticks later the pin decides.
    if (check_at < 0 && button_pin && !last_pin) check_at = tick + DEBOUNCE;
    last_pin = button_pin;
    if (tick == check_at) {
      check_at = -1;
      if (button_pin) {
        ++presses;
        std::printf("tick %2d: button pressed\n", tick);
      } else {
        std::printf("tick %2d: button bounce ignored\n", tick);
      }
    }

    // Job 3: the sensor. Poll its flag; clear it once the value is read.
    if (sensor_ready) {
      sensor_ready = false;
      ++readings;
      std::printf("tick %2d: sensor reads %.1f C\n", tick, sensor_register);
    }
  }
  std::printf("tick %2d: stop after %d led toggles, %d presses, %d readings\n", END_TICK, toggles, presses, readings);
}
