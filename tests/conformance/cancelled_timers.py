# Rule: step 1 pops cancelled timers off the heap's head only, or rebuilds the heap when more than
# half of more than 100 are cancelled; a cancelled timer popped as due in step 3 stays counted (2.1).
import asyncio


def report(label):
    print(f"{label}: {len(loop._scheduled)} in the heap, {loop._timer_cancelled_count} counted cancelled")


def say(word):
    print(word)


def run_one_pass():
    loop.call_soon(loop.stop)
    loop.run_forever()


def t2_runs():
    report("t2 runs")
    loop.call_soon(report, "the next pass popped t3")


loop = asyncio.new_event_loop()
base = loop.time()
t1 = loop.call_at(base + 0.1, say, "t1 never runs")
t2 = loop.call_at(base + 0.2, t2_runs)
t3 = loop.call_at(base + 0.3, say, "t3 never runs")
t1.cancel()
t3.cancel()
t3.cancel()
report("t1 (the head) and t3 cancelled")
run_one_pass()
report("after one pass")
loop.call_at(base + 0.4, loop.stop)
loop.run_forever()

# Step 3 pops a cancelled timer that is due together with a live one: the count drifts.
past = loop.time() - 1
loop.call_at(past, say, "live past timer runs")
loop.call_at(past + 0.5, say, "never printed").cancel()
run_one_pass()
report("both ran in one pass")

# 101 far timers: 49 cancelled plus the drifted one (50) keep the heap, 51 rebuild it.
far = [loop.call_at(base + 100 + k * 0.001, say, "far") for k in range(101)]
for handle in far[1:99:2]:
    handle.cancel()
run_one_pass()
report("101 timers, 49 cancelled + 1 drifted")
far[2].cancel()
run_one_pass()
report("one more cancelled: rebuilt")
loop.close()
