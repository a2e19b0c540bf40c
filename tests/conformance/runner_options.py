# Rule: asyncio.run(main, debug=True) runs main on a loop in debug mode; Runner(loop_factory=)
# runs on the loop the factory makes, and a loop subclass can extend each pass by overriding
# _run_once and calling the base (runners.py Runner._lazy_init; base_events.py run_forever).
# The pass count includes Runner.close's shutdown passes.
import asyncio


class CountingLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        super().__init__()
        self.passes = 0

    def _run_once(self):
        self.passes += 1
        super()._run_once()


async def main(label):
    loop = asyncio.get_running_loop()
    print(label, "debug:", loop.get_debug(), "counting loop:", isinstance(loop, CountingLoop))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    return label + " done"


print(asyncio.run(main("run"), debug=True))
print(asyncio.run(main("run default")))
made = []


def factory():
    loop = CountingLoop()
    made.append(loop)
    return loop


with asyncio.Runner(loop_factory=factory) as runner:
    print(runner.run(main("runner 1")))
    print("passes after run 1:", made[0].passes)
    print(runner.run(main("runner 2")))
    print("passes after run 2:", made[0].passes)
print("passes after close:", made[0].passes, "loops made:", len(made), "closed:", made[0].is_closed())
with asyncio.Runner(debug=True, loop_factory=factory) as runner:
    print(runner.run(main("runner debug")))
