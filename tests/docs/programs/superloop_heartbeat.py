# superloop_heartbeat: chapter 2's exercise 3 on the super-loop: a fourth job prints a heartbeat
# every 15 ticks, right after the blink job.
# Everything else is examples/01_superloop.py. Quoted in docs/answers/02.md; twin: superloop_heartbeat.cpp.

# Time is a tick counter, not a clock, so every run prints the same lines.
END_TICK = 38
BLINK_EVERY = 10  # toggle the LED every 10 ticks
HEARTBEAT_EVERY = 15  # exercise 3
DEBOUNCE = 3      # a press counts if the pin is still down 3 ticks after its edge

# The simulated world: at these ticks the button pin changes level (True = pressed). The pair
# at 13/14 is contact bounce: a one-tick blip that must not count as a press.
BUTTON_SCRIPT = [(3, True), (11, False), (13, True), (14, False), (23, True), (33, False)]
# ...and at these ticks the sensor finishes a conversion (a "data ready" flag, as a chip raises).
SENSOR_SCRIPT = [(12, 21.5), (34, 22.0)]

# What an interrupt handler would write and the loop reads: plain variables.
button_pin = False
sensor_ready = False
sensor_register = 0.0


def hardware(tick):
    """The "hardware" for one tick: change the pins and flags the scripts name."""
    global button_pin, sensor_ready, sensor_register
    for when, level in BUTTON_SCRIPT:
        if when == tick:
            button_pin = level
    for when, celsius in SENSOR_SCRIPT:
        if when == tick:
            sensor_register, sensor_ready = celsius, True


def main():
    global sensor_ready
    # Each job keeps its own state between passes: this is what a task's local variables will
    # hold in 02_superloop_async, where the code can simply wait instead.
    last_blink = -BLINK_EVERY  # so the first toggle happens at tick 0
    led = False
    last_pin = False
    check_at = -1  # tick at which to re-read the pin after an edge; -1: not debouncing
    toggles = presses = readings = 0
    last_heartbeat = -HEARTBEAT_EVERY

    for tick in range(END_TICK):  # one pass of the super-loop per tick
        hardware(tick)

        # Job 1: blink. Never wait for the next toggle; ask "is it time yet?" on every pass.
        if tick - last_blink >= BLINK_EVERY:
            last_blink = tick
            led = not led
            toggles += 1
            print(f"tick {tick:2d}: led {'on' if led else 'off'}")

        # Job 4 (exercise 3): the heartbeat, right after the blink.
        if tick - last_heartbeat >= HEARTBEAT_EVERY:
            last_heartbeat = tick
            print(f"tick {tick:2d}: heartbeat")

        # Job 2: the button. A rising edge starts a debounce; DEBOUNCE ticks later the pin decides.
        if check_at < 0 and button_pin and not last_pin:
            check_at = tick + DEBOUNCE
        last_pin = button_pin
        if tick == check_at:
            check_at = -1
            if button_pin:
                presses += 1
                print(f"tick {tick:2d}: button pressed")
            else:
                print(f"tick {tick:2d}: button bounce ignored")

        # Job 3: the sensor. Poll its flag; clear it once the value is read.
        if sensor_ready:
            sensor_ready = False
            readings += 1
            print(f"tick {tick:2d}: sensor reads {sensor_register:.1f} C")

    print(f"tick {END_TICK:2d}: stop after {toggles} led toggles, {presses} presses, {readings} readings")


main()
