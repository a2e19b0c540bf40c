# Rule: step 4 runs only the callbacks that were ready when it began (CPYTHON-RULES 2.4, 18.1);
# what they queue, even ahead of callbacks still waiting in the same pass, waits for the next pass.
import asyncio

passes = 0


def tick():
    global passes
    passes += 1
    print(f"-- pass {passes} begins with {len(loop._ready)} more ready")
    if passes < 4:
        loop.call_soon(tick)
    else:
        loop.stop()


def job(name):
    print(f"{name} runs in pass {passes}")


def spawner():
    print(f"spawner runs in pass {passes}, queues x and y")
    loop.call_soon(job, "x")
    loop.call_soon(job, "y")


loop = asyncio.new_event_loop()
loop.call_soon(tick)
loop.call_soon(spawner)
loop.call_soon(job, "a")
loop.call_soon(job, "b")
loop.run_forever()
loop.close()
