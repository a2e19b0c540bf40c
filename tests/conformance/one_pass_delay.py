# Rule: a callback queued by a callback runs in the next pass, never the current one
# (CPYTHON-RULES 2.4, 18.1): a chain of N callbacks takes N passes; a ticker counts them.
import asyncio

passes = 0


def ticker(left):
    global passes
    passes += 1
    print(f"pass {passes}")
    if left > 1:
        loop.call_soon(ticker, left - 1)
    else:
        loop.stop()


def chain(name, step, length):
    print(f"  {name} step {step} runs in pass {passes}")
    if step < length:
        loop.call_soon(chain, name, step + 1, length)


loop = asyncio.new_event_loop()
loop.call_soon(ticker, 5)
loop.call_soon(chain, "a", 1, 3)
loop.call_soon(chain, "b", 1, 2)
loop.run_forever()
print(f"a chain of 3 took 3 passes; the loop ran {passes} passes")
loop.close()
