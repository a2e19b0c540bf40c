# Rule: done callbacks run in registration order, each scheduled with call_soon when the future
# completes, never inline (CPYTHON-RULES 5, 18.2); on a done future add_done_callback queues at once.
import asyncio


def callback(name):
    def on_done(fut):
        print(f"{name} sees result {fut.result()}")
    return on_done


def say(word):
    print(word)


def complete():
    print("complete: set_result(42)")
    fut.set_result(42)
    print("complete: set_result returned, no callback has run yet")
    loop.call_soon(say, "queued after set_result")
    fut.add_done_callback(callback("late"))
    loop.call_soon(loop.stop)


loop = asyncio.new_event_loop()
fut = loop.create_future()
fut.add_done_callback(callback("first"))
fut.add_done_callback(callback("second"))
loop.call_soon(complete)
loop.call_soon(say, "queued before completion")
fut.add_done_callback(callback("third"))
loop.run_forever()
loop.close()
