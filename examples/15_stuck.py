# 15_stuck: two tasks that await each other wait for ever; a timeout on one side breaks the cycle.
# Python twin of examples/15_stuck.cpp; chapter docs/09-composing-tasks.md.
# Usage: 15_stuck.py [--forever]. With --forever no one gives up: the program waits for ever (Ctrl-C).
import asyncio
import sys

FOREVER = sys.argv[1:2] == ["--forever"]
tasks = {}


async def leave_after(me, name, patience):
    """Waits until task `name` has left; gives up after `patience` seconds unless --forever."""
    print(f"{me}: I leave after {name}")
    done, pending = await asyncio.wait([tasks[name]], timeout=None if FOREVER else patience)
    if pending:
        print(f"{me}: {name} is still here after {patience:g} s; I leave first")
    else:
        print(f"{me}: {name} has left, so do I")


async def alice():
    await asyncio.sleep(0)  # bob's task exists by now
    await leave_after("alice", "bob", 0.5)


async def bob():
    await leave_after("bob", "alice", 1.0)


async def main():
    tasks["alice"] = asyncio.create_task(alice(), name="alice")
    tasks["bob"] = asyncio.create_task(bob(), name="bob")
    await asyncio.gather(tasks["alice"], tasks["bob"])
    print("both left: a timeout on one side broke the cycle")


asyncio.run(main())
