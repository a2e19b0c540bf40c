# superloop_debounce: chapter 6's exercise 2 done on examples/02_superloop_async.py: the
# debounce moves into a helper, debounce(b, edge), that sleeps and returns the pin.
# Everything else is example 02. Quoted in docs/answers/; twin: superloop_debounce.cpp.
import asyncio

TICK = 0.02  # one tick of 01 is now 20 ms of real time
END_TICK, BLINK_EVERY, DEBOUNCE = 38, 10, 3
BUTTON_SCRIPT = [(3, True), (11, False), (13, True), (14, False), (23, True), (33, False)]
SENSOR_SCRIPT = [(12, 21.5), (34, 22.0)]


class Board:
    """What the interrupt handlers write. A task that wants the next event parks a pending
    future here; the handler resolves it with the tick of the event. No flag is polled."""

    def __init__(self):
        self.start = 0.0  # loop.time() at tick 0
        self.button_pin = False
        self.button_edge = self.sensor_ready = None
        self.sensor_register = 0.0
        self.toggles = self.presses = self.readings = 0


def schedule_hardware(loop, b):
    """The simulated hardware: every pin change and conversion is a timer at its tick's own
    deadline, so events never drift and always fire in script order."""

    def button_interrupt(tick, level):
        rising = level and not b.button_pin
        b.button_pin = level
        if rising and b.button_edge is not None and not b.button_edge.done():
            b.button_edge.set_result(tick)

    def sensor_interrupt(tick, celsius):
        b.sensor_register = celsius
        if b.sensor_ready is not None and not b.sensor_ready.done():
            b.sensor_ready.set_result(tick)

    for tick, level in BUTTON_SCRIPT:
        loop.call_at(b.start + tick * TICK, button_interrupt, tick, level)
    for tick, celsius in SENSOR_SCRIPT:
        loop.call_at(b.start + tick * TICK, sensor_interrupt, tick, celsius)


async def sleep_until_tick(b, tick):
    """Every wait ends at a tick's own deadline, never "so long from now": a late wake-up then
    delays nothing after it, and all deadlines stay in script order (docs/02-superloop.md)."""
    await asyncio.sleep(b.start + tick * TICK - asyncio.get_running_loop().time())


async def blink(b):
    led = False  # 01 kept this (and last_blink) outside its loop; here it is a local
    for tick in range(0, END_TICK, BLINK_EVERY):
        await sleep_until_tick(b, tick)
        led = not led
        b.toggles += 1
        print(f"tick {tick:2d}: led {'on' if led else 'off'}")


async def debounce(b, edge):
    """Exercise 2: it waits, so it must be a coroutine function, and its caller must await it."""
    await sleep_until_tick(b, edge + DEBOUNCE)
    return b.button_pin


async def button(b):
    while True:
        b.button_edge = asyncio.get_running_loop().create_future()
        edge = await b.button_edge  # parked until the interrupt: no polling
        pressed = await debounce(b, edge)  # a call that can suspend: await it
        if pressed:
            b.presses += 1
        print(f"tick {edge + DEBOUNCE:2d}: button {'pressed' if pressed else 'bounce ignored'}")


async def sensor(b):
    while True:
        b.sensor_ready = asyncio.get_running_loop().create_future()
        tick = await b.sensor_ready
        b.readings += 1
        print(f"tick {tick:2d}: sensor reads {b.sensor_register:.1f} C")


async def main(b):
    loop = asyncio.get_running_loop()
    b.start = loop.time()
    schedule_hardware(loop, b)
    asyncio.create_task(blink(b), name="blink")
    asyncio.create_task(button(b), name="button")
    asyncio.create_task(sensor(b), name="sensor")
    await sleep_until_tick(b, END_TICK)
    # Returning ends asyncio.run, which cancels button and sensor, still parked on their futures.
    print(f"tick {END_TICK:2d}: stop after {b.toggles} led toggles, {b.presses} presses, {b.readings} readings")


asyncio.run(main(Board()))
