# Rule: wait(ALL_COMPLETED), the default, returns only when every future is done: a failure does
# not end it early and a cancelled member counts as done; the failure stays in its future
# (nothing is raised), and done lists them all (8.2).
import asyncio


async def worker(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(name)
    print(name, "finished")
    return name


async def main():
    bad = asyncio.create_task(worker("bad", 0.01, True))
    slow = asyncio.create_task(worker("slow", 0.03))
    done, pending = await asyncio.wait([bad, slow], return_when=asyncio.ALL_COMPLETED)
    print("done", len(done), "pending", len(pending), "bad done", bad in done, "slow done", slow in done)
    print("bad exception:", repr(bad.exception()), "slow result:", slow.result())
    victim = asyncio.create_task(worker("victim", 10))
    quick = asyncio.create_task(worker("quick", 0.01))

    async def cancel_soon():
        await asyncio.sleep(0.02)
        victim.cancel()

    canceller = asyncio.create_task(cancel_soon())
    done, pending = await asyncio.wait([victim, quick])  # the default return_when
    print("done", len(done), "pending", len(pending), "victim cancelled", victim.cancelled(), "in done",
          victim in done)
    await canceller


asyncio.run(main())
