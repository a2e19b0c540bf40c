# Rule: remove_done_callback(fn) removes every pending registration of fn and returns how many
# (CPYTHON-RULES 5); after completion the callbacks are already scheduled: it returns 0 and they run.
import asyncio


def on_done_a(fut):
    print("a ran")


def on_done_b(fut):
    print("b ran")


loop = asyncio.new_event_loop()
fut = loop.create_future()
fut.add_done_callback(on_done_a)
fut.add_done_callback(on_done_b)
fut.add_done_callback(on_done_a)
print("removed a:", fut.remove_done_callback(on_done_a))
print("removed a again:", fut.remove_done_callback(on_done_a))
fut.add_done_callback(on_done_a)
fut.set_result(None)
print("removed b after set_result:", fut.remove_done_callback(on_done_b))
loop.call_soon(loop.stop)
loop.run_forever()

fut2 = loop.create_future()
fut2.add_done_callback(on_done_b)
fut2.add_done_callback(on_done_b)
fut2.add_done_callback(on_done_a)
print("removed b from fut2:", fut2.remove_done_callback(on_done_b))
fut2.cancel()
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
