# Rule: remove_done_callback(fn) compares callbacks by identity (futures.py: `f != fn`), so a
# closure registered twice is removed twice and the count says so; another closure made by the
# same function is a different callback and stays.
import asyncio


def make(label):
    def on_done(fut):
        print(label, "ran, result", fut.result())
    return on_done


loop = asyncio.new_event_loop()
fut = loop.create_future()
a = make("a")
a_again = a
b = make("b")
other_a = make("a'")
fut.add_done_callback(a)
fut.add_done_callback(b)
fut.add_done_callback(a_again)
fut.add_done_callback(other_a)
print("removed a:", fut.remove_done_callback(a))
print("removed a again:", fut.remove_done_callback(a_again))
print("removed a never added:", fut.remove_done_callback(make("a")))
fut.set_result(7)
print("removed b after set_result:", fut.remove_done_callback(b))
loop.call_soon(loop.stop)
loop.run_forever()
loop.close()
