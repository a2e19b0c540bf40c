# test_recorder.py TOOL SOURCE_DIR: the CPython recorder's own tests (issue 13): its stream is
# the documented format (asyncio-trace reads it back; every documented key is there), the
# virtual clock makes runs byte-identical, a program that raises or is killed leaves a readable
# trace, and the bad inputs (no loop, an old Python, mixed format versions) get their messages.
import json
import os
import re
import subprocess
import sys
import tempfile

tool, source = sys.argv[1], sys.argv[2]
example = os.path.join(source, 'examples', '02_superloop_async.py')
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL:', what)


# Sections 1 to 4 check the stream without the causes (ASYNCIO_TRACE_CAUSES=off); section 5 with them.
no_causes_env = dict(os.environ, ASYNCIO_TRACE_CAUSES='off')


def run(*args, env=no_causes_env):
    return subprocess.run([tool, '--python', sys.executable, *args], capture_output=True, text=True, timeout=60,
                          env=env)


REQUIRED = {
    'loop': {'loop'}, 'pass_begin': {'t', 'pass'}, 'pass_end': {'t', 'pass', 'ran'},
    'select_begin': {'t', 'selector', 'timeout', 'reason'}, 'select_end': {'t', 'events'},
    'timer_ready': {'t', 'handle', 'when', 'late'}, 'timer_dropped': {'t', 'handle', 'when'},
    'callback_begin': {'t', 'handle'}, 'callback_end': {'t', 'handle'}, 'callback_skipped': {'t', 'handle'},
    'task_created': {'t', 'task', 'name'}, 'task_renamed': {'t', 'task', 'name'},
    'task_step_end': {'t', 'task', 'name', 'outcome'}, 'task_done': {'t', 'task', 'name', 'state', 'repr'},
    'future_done': {'t', 'future', 'state'}, 'output': {'text'}, 'end': {'why'}, 'io_event': {'t', 'fd', 'mask', 'handle'},
}

with tempfile.TemporaryDirectory() as tmp:
    # 1. The stream is the format: JSON Lines, the header, documented keys, read back by the tool.
    runs = [run('--clock', 'virtual', '--format', 'jsonl', example) for _ in range(5)]
    check(all(r.returncode == 0 for r in runs), 'the example runs under the recorder')
    stream = runs[0].stdout
    lines = stream.splitlines()
    header = json.loads(lines[0])
    check(header.get('v') == 2 and header.get('format') == 'asyncio-trace', 'header line')
    kinds = set()
    for line in lines[1:]:
        event = json.loads(line)
        kinds.add(event['e'])
        missing = REQUIRED.get(event['e'], set()) - set(event)
        check(not missing, 'event %s lacks %s' % (event['e'], missing))
        check('0x' not in line and source not in line, 'no address or absolute path: ' + line)
    check({'pass_begin', 'select_begin', 'timer_ready', 'callback_begin', 'task_step_end', 'task_done',
           'future_done', 'output', 'end'} <= kinds, 'the example shows every step: %s' % sorted(kinds))
    check('"outcome":"awaited","awaited":"sleep(0.76)"' in stream, 'task steps say what they awaited')
    path = os.path.join(tmp, 'py.jsonl')
    with open(path, 'w') as f:
        f.write(stream)
    replay = run('--replay', path)
    check(replay.returncode == 0 and 'Pass 38' in replay.stdout, 'asyncio-trace reads the stream back')
    # 2. Five runs on the virtual clock: the same bytes.
    check(len({r.stdout for r in runs}) == 1, 'five virtual-clock runs are byte-identical')
    text = run('--clock', 'virtual', example).stdout
    check('Step 2: poll the selector: epoll, timeout=0.060000 (next timer)' in text and
          'Step 3: move due timers' in text and 'Step 4: run what was ready' in text,
          'the text view shows the steps of CPython\'s passes')

    # 3. A program that raises, and one that is killed, leave a readable trace.
    raises = os.path.join(tmp, 'raises.py')
    with open(raises, 'w') as f:
        f.write('import asyncio\nasync def main():\n    await asyncio.sleep(0)\n    print("before")\n'
                '    raise ValueError("boom")\nasyncio.run(main())\n')
    r = run('--clock', 'virtual', '--format', 'jsonl', raises)
    check(r.returncode == 1 and 'ValueError: boom' in r.stderr, 'a raising program exits 1 with its traceback')
    check('asyncio_trace_recorder' not in r.stderr, 'the traceback shows the program\'s frames only')
    check(r.stdout.rstrip().endswith('{"e":"end","why":"exit"}') and '"text":"before\\n"' in r.stdout,
          'a raising program\'s trace is complete')
    killed = os.path.join(tmp, 'killed.py')
    with open(killed, 'w') as f:
        f.write('import asyncio, os, signal\nasync def main():\n    await asyncio.sleep(0)\n'
                '    await asyncio.sleep(0)\n    os.kill(os.getpid(), signal.SIGKILL)\nasyncio.run(main())\n')
    r = run('--clock', 'virtual', killed)
    check(r.returncode == 137 and 'Pass 2' in r.stdout and 'the trace ends after pass 2' in r.stdout,
          'a killed program leaves its finished passes: ' + r.stdout[-200:])

    # 4. Bad input.
    noloop = os.path.join(tmp, 'noloop.py')
    with open(noloop, 'w') as f:
        f.write('print("no loop here")\n')
    r = run(noloop)
    check(r.returncode == 1 and 'emitted no trace events' in r.stderr, 'a .py without a loop: ' + r.stderr)
    old = os.path.join(tmp, 'python3.9')
    with open(old, 'w') as f:
        f.write('#!/bin/sh\necho "Python 3.9.2"\n')
    os.chmod(old, 0o755)
    r = subprocess.run([tool, '--python', old, example], capture_output=True, text=True)
    check(r.returncode == 2 and 'is Python 3.9; the recorder needs CPython 3.11 or newer' in r.stderr,
          'an old Python is refused: ' + r.stderr)
    v1 = os.path.join(tmp, 'v1.jsonl')
    with open(v1, 'w') as f:
        f.write(stream.replace('{"v":2,', '{"v":1,', 1))
    r = subprocess.run([tool, 'diff', path, v1], capture_output=True, text=True)
    check(r.returncode == 2 and 'is trace format version 2' in r.stderr and 'is version 1' in r.stderr,
          'diff of two format versions says so: ' + r.stderr)
    r = subprocess.run([tool, 'diff', path, path], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout.startswith('identical: 38 passes'), 'a stream is identical to itself')
    changed = os.path.join(tmp, 'changed.jsonl')
    with open(changed, 'w') as f:
        f.write(stream.replace('"timeout":0.060000', '"timeout":0.050000', 1))
    r = subprocess.run([tool, 'diff', path, changed], capture_output=True, text=True)
    check(r.returncode == 1 and 'first difference: pass 4 (loop 1)' in r.stdout and 'step 2' in r.stdout,
          'a changed timeout is the first difference: ' + r.stdout[:300])

    # 5. The causes (format version 2, docs/trace-format.md "Version 2"), with ASYNCIO_TRACE_CAUSES=on:
    # each kind on a small program, the lines asserted as JSON.
    causes_env = dict(os.environ, ASYNCIO_TRACE_CAUSES='on')

    def traced(name, source):
        path = os.path.join(tmp, name)
        with open(path, 'w') as f:
            f.write(source)
        r = subprocess.run([tool, '--python', sys.executable, '--clock', 'virtual', '--format', 'jsonl', path],
                           capture_output=True, text=True, timeout=60, env=causes_env)
        return r, [json.loads(line) for line in r.stdout.splitlines()[1:]]

    def line_of(source, text):
        return next(n for n, line in enumerate(source.splitlines(), 1) if text in line)

    def find(events, **keys):
        """The first event with these keys and values, else {} (a failed check says which)."""
        return next((e for e in events if all(e.get(k) == v for k, v in keys.items())), {})

    def index(events, event):
        return next((i for i, e in enumerate(events) if e is event), -1)

    CAUSES = """import asyncio, os, signal, sys, threading

def plain(tag):
    print("plain", tag)

def boom():
    raise ValueError("boom")

async def victim():
    await asyncio.sleep(10)

async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(plain, 1)
    timer = loop.call_later(0.1, plain, 2)
    timer.cancel()
    fut = loop.create_future()
    loop.call_later(0.2, fut.set_result, 7)
    t = asyncio.create_task(victim(), name="victim")
    await asyncio.sleep(0)
    t.cancel()
    print(await fut)
    bad = loop.create_future()
    loop.call_soon(bad.set_exception, KeyError("k"))
    try:
        await bad
    except KeyError:
        pass
    loop.call_soon(boom)
    th = threading.Thread(target=loop.call_soon_threadsafe, args=(plain, 3))
    th.start(); th.join()
    await asyncio.sleep(0.1)
    r, w = os.pipe()
    got = loop.create_future()
    def readable():
        os.read(r, 1)
        loop.remove_reader(r)
        got.set_result(None)
    loop.add_reader(r, readable)
    os.write(w, b"x")
    await got
    sig = loop.create_future()
    loop.add_signal_handler(signal.SIGUSR1, sig.set_result, "usr1")
    os.kill(os.getpid(), signal.SIGUSR1)
    await sig
    print("to stderr", file=sys.stderr)
    try:
        await t
    except asyncio.CancelledError:
        pass

asyncio.run(main())
"""
    r, ev = traced('causes.py', CAUSES)
    check(r.returncode == 0, 'the causes program runs: ' + r.stderr[-300:])
    # Every callback has an id and a cause: a scheduled line or an io_event with its h, before it.
    causes = {}
    for i, e in enumerate(ev):
        if e['e'] in ('scheduled', 'io_event'):
            check(e.get('h') not in causes, 'a handle id is never reused: %s' % e)
            causes[e.get('h')] = i
    begins = [e for e in ev if e['e'] == 'callback_begin']
    check(begins and all(e.get('h') in causes and causes[e['h']] < index(ev, e) for e in begins),
          'every callback_begin joins an earlier scheduled/io_event by h')
    check(all('h' in e for e in ev if e['e'] in ('callback_end', 'callback_skipped', 'timer_ready', 'timer_dropped')),
          'callback_end, callback_skipped, timer_ready and timer_dropped carry h')
    check(all(isinstance(e.get('real'), (int, float)) and e['real'] >= 0 for e in ev if e['e'] == 'callback_end'),
          'callback_end carries real, the real duration')
    main_step = find(ev, e='callback_begin', task=1)
    # call_soon inside a task: by the task's step.
    soon = find(ev, e='scheduled', how='call_soon', handle='plain(1) at causes.py:3')
    check(soon.get('by') == 'callback' and soon.get('by_h') == main_step.get('h') and soon.get('by_task') == 1,
          'call_soon in a task: by callback, by_h, by_task: %s' % soon)
    # A timer: call_at with when and delay; cancelled while queued (by the task), then dropped in step 1.
    timer = find(ev, e='scheduled', how='call_at', handle='plain(2) at causes.py:3')
    check(timer.get('when') == 0.1 and timer.get('delay') == 0.1 and 'sleep' not in timer, 'call_later: %s' % timer)
    cancelled = find(ev, e='handle_cancelled', h=timer.get('h'))
    check(cancelled.get('by') == 'callback' and cancelled.get('by_task') == 1 and
          cancelled.get('handle') == timer.get('handle'), 'handle_cancelled: %s' % cancelled)
    dropped = find(ev, e='timer_dropped', h=timer.get('h'))
    check(dropped.get('handle') == timer.get('handle'), 'timer_dropped names the cancelled timer: %s' % dropped)
    # asyncio.sleep's timer says so; the task suspended at the line of the sleep, relative path.
    sleep = find(ev, e='scheduled', how='call_at', sleep=10.0)
    check(sleep.get('by') == 'callback' and sleep.get('by_task') == 2, 'a sleep\'s timer: %s' % sleep)
    step_end = find(ev, e='task_step_end', task=2, outcome='awaited')
    check(step_end.get('at') == 'causes.py:%d' % line_of(CAUSES, 'await asyncio.sleep(10)'),
          'task_step_end at the sleep\'s line: %s' % step_end)
    yielded = find(ev, e='task_step_end', task=1, outcome='yielded')
    check(yielded.get('at') == 'causes.py:%d' % line_of(CAUSES, 'await asyncio.sleep(0)'), 'a yield\'s at: %s' % yielded)
    created = find(ev, e='task_created', task=2)
    check(created.get('by_task') == 1 and created.get('at') == 'causes.py:%d' % line_of(CAUSES, 'create_task(victim()'),
          'task_created: by_task and at: %s' % created)
    first_step = find(ev, e='scheduled', how='task_step', task=2)
    check(0 <= index(ev, created) < index(ev, first_step), 'a task\'s first step is scheduled after its task_created')
    outside = find(ev, e='scheduled', how='task_step', task=1)
    check(outside.get('by') == 'loop', 'asyncio.run\'s first step is scheduled by the loop: %s' % outside)
    # A task cancelled by another task: the awaited future cancelled by it, the task done with cancel_by.
    canceller = find(ev, e='future_done', future=step_end.get('future'))
    check(canceller.get('how') == 'cancel' and canceller.get('by_task') == 1,
          'the sleep\'s future cancelled by main: %s' % canceller)
    victim_done = find(ev, e='task_done', task=2)
    check(victim_done.get('state') == 'cancelled' and victim_done.get('cancel_by_task') == 1 and
          victim_done.get('cancel_by_h') == canceller.get('by_h'), 'task_done cancel_by_h/_task: %s' % victim_done)
    # set_result from a timer callback: future_done by that callback, then the task's wakeup as its done callback.
    set_result = find(ev, e='scheduled', handle='Future.set_result(7)')
    done = find(ev, e='future_done', by_h=set_result.get('h'))
    check(done.get('how') == 'result' and done.get('by') == 'callback' and 'by_task' not in done,
          'future_done by a callback: %s' % done)
    wakeup = ev[index(ev, done) + 1] if done else {}
    check(wakeup.get('e') == 'scheduled' and wakeup.get('how') == 'done_callback' and
          wakeup.get('future') == done.get('future') and wakeup.get('task') == 1 and
          wakeup.get('handle') == 'Task.task_wakeup(<Future finished result=7>)',
          'the done callback right after future_done: %s' % wakeup)
    failed = find(ev, e='future_done', how='exception')
    check(failed.get('exc') == "KeyError('k')", 'future_done exception with exc: %s' % failed)
    # A callback that raised, before its callback_end; the default handler's message keeps CPython's class name.
    boom = find(ev, e='scheduled', handle='boom() at causes.py:6')
    raised = find(ev, e='callback_raised', h=boom.get('h'))
    boom_end = find(ev, e='callback_end', h=boom.get('h'))
    check(raised.get('exc') == "ValueError('boom')" and raised.get('handler') == 'default' and
          0 <= index(ev, raised) < index(ev, boom_end), 'callback_raised: %s' % raised)
    check('handle: <Handle boom() at' in r.stderr, 'the exception handler names the class Handle: ' + r.stderr[:200])
    # call_soon_threadsafe: by thread, written when the loop takes it in (after a select_end).
    threadsafe = find(ev, e='scheduled', how='call_soon_threadsafe')
    check(threadsafe.get('by') == 'thread' and threadsafe.get('handle') == 'plain(3) at causes.py:3' and
          ev[index(ev, threadsafe) - 1]['e'] == 'select_end', 'call_soon_threadsafe: %s' % threadsafe)
    # A readable fd: its io_event is the cause (no scheduled line), joined by h.
    io = find(ev, e='io_event', handle='main.<locals>.readable() at causes.py:%d' % line_of(CAUSES, 'def readable'))
    reader = find(ev, e='callback_begin', h=io.get('h'))
    check(io.get('mask') == 'read' and reader and not find(ev, e='scheduled', h=io.get('h')), 'io_event h: %s' % io)
    check(find(ev, e='callback_end', h=io.get('h')).get('handle') == reader.get('handle'),
          'a callback that cancels its own handle ends under the name it began with')
    signalled = find(ev, e='scheduled', how='signal')
    check(signalled.get('handle') == "Future.set_result('usr1')", 'a signal handler: %s' % signalled)
    # stderr as output fd 2 (and still on the terminal), stdout as fd 1.
    check(find(ev, e='output', fd=2, text='to stderr\n') and find(ev, e='output', fd=1, text='plain 1\n')
          and 'to stderr' in r.stderr, 'output fd 1 and 2')
    recorded = ''.join(json.dumps(e) for e in ev if e['e'] != 'output')
    check(' at 0x' not in recorded and tmp not in recorded, 'no address or absolute path in the causes')

    # A custom exception handler; a task that cancels itself has no cancel_by.
    CUSTOM = """import asyncio
async def selfish():
    asyncio.current_task().cancel()
    await asyncio.sleep(1)
async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda loop, context: print("handled", context["exception"]))
    loop.call_soon(lambda: 1 / 0)
    t = asyncio.create_task(selfish())
    try:
        await t
    except asyncio.CancelledError:
        print("self-cancelled")
asyncio.run(main())
"""
    r, ev = traced('custom.py', CUSTOM)
    raised = find(ev, e='callback_raised')
    check(raised.get('handler') == 'custom' and raised.get('exc') == "ZeroDivisionError('division by zero')",
          'callback_raised with a custom handler: %s' % raised)
    done = find(ev, e='task_done', task=2)
    check(done.get('state') == 'cancelled' and 'cancel_by_h' not in done and 'cancel_by_task' not in done,
          'a task that cancelled itself has no cancel_by: %s' % done)

    # Five runs identical but for `real`: example 09, as example 02's asyncio.run cancels its last
    # two tasks in the set order of all_tasks(), which depends on addresses (docs/trace.md, "Diff").
    example09 = os.path.join(source, 'examples', '09_producer_consumer.py')
    fives = [subprocess.run([tool, '--python', sys.executable, '--clock', 'virtual', '--format', 'jsonl', example09],
                            capture_output=True, text=True, timeout=60, env=causes_env) for _ in range(5)]
    masked = {re.sub(r',"real":[0-9.]+', '', r.stdout) for r in fives}
    check(all(r.returncode == 0 and '"scheduled"' in r.stdout for r in fives) and len(masked) == 1,
          'five virtual-clock runs with the causes are byte-identical but for real')
    # Example 02: `at` relative to the project's root.
    runs = [subprocess.run([tool, '--python', sys.executable, '--clock', 'virtual', '--format', 'jsonl', example],
                           capture_output=True, text=True, timeout=60, env=causes_env)]
    with open(example) as f:
        line = line_of(f.read(), 'await asyncio.sleep(b.start')
    check('"outcome":"awaited","at":"examples/02_superloop_async.py:%d","awaited":"sleep(0.2)"' % line in runs[0].stdout,
          'at is relative to the project root')
    check('"h":' not in stream and '"scheduled"' not in stream, 'with ASYNCIO_TRACE_CAUSES=off no causes are written')
    default_env = {k: v for k, v in os.environ.items() if k != 'ASYNCIO_TRACE_CAUSES'}
    default = run('--clock', 'virtual', '--format', 'jsonl', example, env=default_env)
    check(default.returncode == 0 and '"e":"scheduled"' in default.stdout and '"h":' in default.stdout,
          'the causes are written by default (no ASYNCIO_TRACE_CAUSES)')
    path = os.path.join(tmp, 'causes.jsonl')
    with open(path, 'w') as f:
        f.write(runs[0].stdout)
    replay = run('--replay', path)
    check(replay.returncode == 0 and 'Pass 38' in replay.stdout and not replay.stderr,
          'asyncio-trace reads a stream with causes: ' + replay.stderr)

print('%d failures' % len(failures))
sys.exit(1 if failures else 0)
