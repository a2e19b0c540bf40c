# Rule: awaiting a future that is already done does not yield: the task goes on in the same step
# (CPYTHON-RULES 5 __await__, 18.3); awaiting a pending one suspends it until a later pass.
import asyncio


def other(word):
    print(f"  callback {word}")


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    done.set_result("ready")
    loop.call_soon(other, "queued before the awaits")
    print("await a done future")
    value = await done
    print("got", value, "without yielding")
    value = await done
    print("got", value, "again, still in the same step")
    pending = loop.create_future()
    loop.call_soon(pending.set_result, "later")
    print("await a pending future")
    value = await pending
    print("got", value, "after the callbacks ran")


asyncio.run(main())
