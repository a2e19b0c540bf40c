# test_recorder.py TOOL SOURCE_DIR: the CPython recorder's own tests (issue 13): its stream is
# the documented format (asyncio-trace reads it back; every documented key is there), the
# virtual clock makes runs byte-identical, a program that raises or is killed leaves a readable
# trace, and the bad inputs (no loop, an old Python, mixed format versions) get their messages.
import json
import os
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


def run(*args):
    return subprocess.run([tool, '--python', sys.executable, *args], capture_output=True, text=True, timeout=60)


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

print('%d failures' % len(failures))
sys.exit(1 if failures else 0)
