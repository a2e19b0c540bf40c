# Rule: timers with equal deadlines fire in heapq order, not FIFO (CPYTHON-RULES 4.2, 18.4): the
# order depends on the whole heap's history. Every deadline is base + an exact offset, so ties are exact.
import asyncio

fired = []


def run_round(title, timers):
    """timers: (label, offset) pairs scheduled with call_at(base + offset) in list order."""
    fired.clear()
    base = loop.time()
    for label, offset in timers:
        loop.call_at(base + offset, fired.append, label)
    loop.call_at(base + 0.03, loop.stop)
    loop.run_forever()
    print(title)
    print("  scheduled:", " ".join(label for label, _ in timers))
    print("  fired:    ", " ".join(fired))


loop = asyncio.new_event_loop()
# Twelve timers at base, then ten later ones at base + 0.02.
run_round("twelve ties then ten later",
          [(str(k), 0.0) for k in range(12)] + [(f"L{k}", 0.02) for k in range(10)])
# Capital letters share one deadline; e1/e2 are earlier, l1 later.
run_round("ties among other deadlines",
          [("A", 0.01), ("e1", 0.0), ("B", 0.01), ("C", 0.01), ("l1", 0.02),
           ("D", 0.01), ("e2", 0.0), ("E", 0.01), ("F", 0.01)])
# Fifteen timers over three deadlines, pushed in a scrambled order.
run_round("three deadlines, fifteen timers",
          [(f"{k}@{(k * 7) % 3}", ((k * 7) % 3) * 0.001) for k in range(15)])
loop.close()
