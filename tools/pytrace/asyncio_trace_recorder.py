# asyncio_trace_recorder.py: makes CPython's own asyncio write asyncio-trace's JSON Lines event
# stream (docs/trace-format.md), so a Python twin is traced pass by pass like its C++ program.
# Instruments the real loop, never re-implements it: a loop subclass installed by a policy wraps
# _run_once (pass begins and ends), a recording selector wraps the real one (step 2), the loop's
# handles get a recording class (step 4), the ready deque reports what step 4 takes, and time()
# can run on the virtual clock. Usage: python3 asyncio_trace_recorder.py PROGRAM.py [ARGS...]
# Course: docs/trace.md ("Tracing Python programs")
import sys

if sys.version_info < (3, 11):  # noqa: UP036 (the check is the point)
    sys.stderr.write("asyncio-trace: the recorder needs CPython 3.11 or newer; this is %s\n"
                     % sys.version.split()[0])
    sys.exit(2)

import asyncio
import atexit
import errno
import os
import re
import reprlib
import runpy
import selectors
import sysconfig
import threading
import time
import traceback
import weakref
from asyncio import base_events, events, format_helpers, futures

FORMAT_VERSION = 2

# The causes of format version 2 (docs/trace-format.md, "Version 2"): handle ids, `scheduled`,
# `handle_cancelled`, `callback_raised`, future_done's how/by, task_done's cancel_by_*, `at`,
# callback_end's `real`, stderr as `output` fd 2. ASYNCIO_TRACE_CAUSES=on|off picks; on by default,
# as the C++ runtime writes them too (issue 12), so a C++ program and its Python twin compare
# causes and all.
CAUSES_DEFAULT = True

# ---------------------------------------------------------------- text as the C++ writer writes it

_ESCAPES = {ord('"'): '\\"', ord('\\'): '\\\\', ord('\n'): '\\n', ord('\r'): '\\r', ord('\t'): '\\t'}
for _c in range(0x20):
    _ESCAPES.setdefault(_c, '\\u%04x' % _c)


def json_string(text):
    """A JSON string exactly as JsonlWriter writes one (UTF-8 left as is, controls escaped)."""
    return '"' + text.translate(_ESCAPES) + '"'


def seconds(value):
    return '%.6f' % value


class Scrubber:
    """Keeps addresses and absolute paths out of the stream: an address becomes a small id
    (#1, #2 ... in order of first appearance), a path loses the program's or the standard
    library's directory."""

    _ADDRESS = re.compile(r' at 0x[0-9a-fA-F]+')

    def __init__(self, program_dir):
        self.addresses = {}
        prefixes = [program_dir, sysconfig.get_paths().get('stdlib', ''), os.getcwd()]
        self.prefixes = sorted({os.path.join(p, '') for p in prefixes if p and p != os.sep},
                               key=len, reverse=True)

    def _address(self, match):
        key = match.group(0)
        n = self.addresses.setdefault(key, len(self.addresses) + 1)
        return ' #%d' % n

    def __call__(self, text):
        text = self._ADDRESS.sub(self._address, text)
        for prefix in self.prefixes:
            text = text.replace(prefix, '')
        return text


# ---------------------------------------------------------------- the writer

class Recorder:
    """The stream: one JSON object a line, a pass's lines written with one write(2) when the
    pass ends (and at exit), so a program killed mid-pass leaves every finished pass."""

    def __init__(self, fd, scrub, step_fd=-1, causes=False):
        self.fd = fd
        self.scrub = scrub
        self.step_fd = step_fd
        self.causes = causes
        self.lines = []
        self.ended = False
        self.last_loop = None
        self.loops = weakref.WeakKeyDictionary()
        self.loop_count = 0
        self.tasks = weakref.WeakKeyDictionary()      # task -> [id, last name written]
        self.task_count = 0
        self.futures = weakref.WeakKeyDictionary()    # awaited future -> id
        self.announced = weakref.WeakKeyDictionary()    # futures a future_created line described -> what
        self.future_count = 0
        self.sleeps = weakref.WeakKeyDictionary()     # future made by sleep(delay) -> delay
        # causes (version 2)
        self.h_count = 0
        self.h_of = {}                                # id(handle) -> (weakref, h of its last scheduling)
        self.queued = set()                           # h of handles in the ready queue or the heap
        self.cancelled_desc = {}                      # h of a cancelled queued handle -> its description
        self.done_written = weakref.WeakSet()         # futures whose future_done is written
        self.pending_tasks = weakref.WeakKeyDictionary()  # task -> its cancelling() count seen
        self.cancelled_by = weakref.WeakKeyDictionary()   # task -> (by_h, by_task) of its first cancel
        self.runnable = {}                            # task whose step or wakeup is queued -> as pending_tasks
        self.threadsafe = __import__('collections').deque()  # handles from call_soon_threadsafe
        self.captured = {}                            # fd (1, 2) -> [memfd, saved fd, bytes consumed]
        self.lines.append('{"v":%d,"format":"asyncio-trace","writer":"cpython","python":%s}\n'
                          % (FORMAT_VERSION, json_string('%d.%d.%d' % sys.version_info[:3])))
        self.write_out()

    # -- raw output
    def write_out(self):
        data = ''.join(self.lines).encode('utf-8', 'surrogateescape')
        self.lines.clear()
        while data and self.fd >= 0:
            try:
                n = os.write(self.fd, data)
            except InterruptedError:
                continue
            except OSError:
                self.fd = -1  # the reader went away: stop writing, let the program go on
                break
            data = data[n:]

    def open(self, loop, name):
        """Starts an event's line: {"e":NAME,"t":loop time (after a loop line if the loop changed)."""
        if loop is not self.last_loop:
            self.last_loop = loop
            n = self.loops.get(loop)
            if n is None:
                self.loop_count += 1
                n = self.loops[loop] = self.loop_count
                self.lines.append('{"e":"loop","loop":%d,"clock":"%s","selector":%s}\n' % (
                    n, 'virtual' if loop._virtual else 'real', json_string(loop._selector.kind)))
            else:
                self.lines.append('{"e":"loop","loop":%d}\n' % n)
        return ['{"e":"%s","t":%s' % (name, seconds(loop.time()))]

    def close(self, parts):
        parts.append('}\n')
        self.lines.append(''.join(parts))
        if len(self.lines) > 20000:
            self.write_out()

    @staticmethod
    def field(parts, key, value):
        if value is None:
            parts.append(',"%s":null' % key)
        elif isinstance(value, str):
            parts.append(',"%s":%s' % (key, json_string(value)))
        else:
            parts.append(',"%s":%d' % (key, value))

    def task_id(self, task):
        entry = self.tasks.get(task)
        if entry is None:
            self.task_count += 1
            entry = self.tasks[task] = [self.task_count, task.get_name()]
        return entry[0]

    def task_fields(self, parts, task):
        self.field(parts, 'task', self.task_id(task))
        self.field(parts, 'name', task.get_name())

    def renamed(self, loop, task):
        """set_name() on CPython's C Task cannot be hooked: a new name is written (task_renamed)
        the next time an event names the task."""
        entry = self.tasks.get(task)
        if entry is not None and entry[1] != task.get_name():
            entry[1] = task.get_name()
            parts = self.open(loop, 'task_renamed')
            self.task_fields(parts, task)
            self.close(parts)

    def handle_fields(self, loop, parts, handle, description=None):
        if self.causes:
            h = self.h_of_handle(handle)
            if h is not None:
                self.field(parts, 'h', h)
        self.field(parts, 'handle', description or describe_handle(handle, self.scrub))
        task = task_of(handle._callback)
        if task is not None:
            self.task_fields(parts, task)

    # -- handle ids (causes): a new id each time a handle is scheduled. Handles are keyed by id()
    # with a weak reference (a TimerHandle's == compares deadlines and callbacks, not identity).
    def new_h(self, handle):
        self.h_count += 1
        key = id(handle)
        table = self.h_of

        def forget(ref, key=key, table=table):
            entry = table.get(key)
            if entry is not None and entry[0] is ref:
                del table[key]
        table[key] = (weakref.ref(handle, forget), self.h_count)
        self.queued.add(self.h_count)
        return self.h_count

    def h_of_handle(self, handle):
        entry = self.h_of.get(id(handle))
        if entry is not None and entry[0]() is handle:
            return entry[1]
        return None

    def by_fields(self, parts, loop, prefix='by'):
        """Who is doing something now: the step-4 callback running on this loop, or the loop."""
        running = getattr(loop, '_running_cb', None)
        if prefix == 'by':
            self.field(parts, 'by', 'loop' if running is None else 'callback')
        if running is not None:
            self.field(parts, prefix + '_h', running[0])
            if running[1] is not None:
                self.field(parts, prefix + '_task', running[1])

    def where(self, filename, line):
        """file:line relative to the program's project root, if the file is the program's."""
        path = os.path.abspath(filename)
        if not path.startswith(PROJECT_ROOT) or path == RECORDER_FILE:
            return None
        return '%s:%d' % (path[len(PROJECT_ROOT):], line)

    # -- output capture (ASYNCIO_TRACE_OUTPUT=capture): fd 1 (and fd 2 with the causes) writes
    # into a memfd, drained into "output" events when a callback ends, when a pass begins and when
    # the stream ends. What fd 2 printed is also copied to the real stderr when it is drained.
    def capture(self, fd):
        stream = sys.stdout if fd == 1 else sys.stderr
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
        try:
            memfd = os.memfd_create('asyncio-trace-fd%d' % fd, os.MFD_CLOEXEC)
            captured = fcntl_dupfd(memfd)
            os.close(memfd)
            saved = fcntl_dupfd(fd)
            os.dup2(captured, fd, inheritable=True)
        except OSError as e:
            sys.stderr.write('asyncio-trace: cannot capture %s for the trace: %s\n'
                             % ('stdout' if fd == 1 else 'stderr', e.strerror))
            return False
        self.captured[fd] = [captured, saved, 0]
        return True

    def capture_stdout(self):
        return self.capture(1)

    def drain_output(self):
        if not self.captured:
            return
        for fd in sorted(self.captured):
            self._drain(fd)

    def _drain(self, fd):
        entry = self.captured[fd]
        try:
            (sys.stdout if fd == 1 else sys.stderr).flush()
        except (OSError, ValueError):
            pass
        captured, saved, consumed = entry
        end = os.lseek(captured, 0, os.SEEK_CUR)
        if end <= consumed:
            return
        chunks = []
        offset = consumed
        while offset < end:
            data = os.pread(captured, end - offset, offset)
            if not data:
                break
            chunks.append(data)
            offset += len(data)
        entry[2] = offset
        data = b''.join(chunks)
        text = json_string(data.decode('utf-8', 'surrogateescape'))
        if not self.causes:
            self.lines.append('{"e":"output","text":%s}\n' % text)
        else:
            self.lines.append('{"e":"output","fd":%d,"text":%s}\n' % (fd, text))
        while fd == 2 and data:  # stderr still reaches the terminal
            try:
                data = data[os.write(saved, data):]
            except InterruptedError:
                continue
            except OSError:
                break

    def stop_capture(self):
        if not self.captured:
            return
        self.drain_output()
        for fd, (captured, saved, _) in sorted(self.captured.items()):
            os.dup2(saved, fd)
            os.close(saved)
            os.close(captured)
        self.captured = {}

    def end(self, why):
        if self.ended:
            return
        self.ended = True
        self.stop_capture()
        self.lines.append('{"e":"end","why":"%s"}\n' % why)
        self.write_out()

    def wait_for_step(self):
        """asyncio-trace --step: after a pass, one byte says go on (n), run free (c) or stop (q)."""
        while True:
            try:
                c = os.read(self.step_fd, 1)
                break
            except InterruptedError:
                continue
            except OSError:
                c = b''
                break
        if not c or c == b'c':
            self.step_fd = -1
        elif c == b'q':
            try:
                sys.stdout.flush()
            except (OSError, ValueError):
                pass
            self.stop_capture()
            self.lines.append('{"e":"end","why":"stopped"}\n')
            self.ended = True
            self.write_out()
            os._exit(0)

    # -- the events
    def pass_begin(self, loop, index):
        self.drain_output()
        parts = self.open(loop, 'pass_begin')
        self.field(parts, 'pass', index)
        self.close(parts)

    def pass_end(self, loop, index, ran):
        parts = self.open(loop, 'pass_end')
        self.field(parts, 'pass', index)
        self.field(parts, 'ran', ran)
        self.close(parts)
        self.write_out()
        if self.step_fd >= 0:
            self.wait_for_step()

    def timer_dropped(self, loop, timer):
        parts = self.open(loop, 'timer_dropped')
        description = None
        if self.causes:
            h = self.h_of_handle(timer)
            self.queued.discard(h)
            description = self.cancelled_desc.pop(h, None)
            if h is not None:
                self.field(parts, 'h', h)
        self.field(parts, 'handle', description or describe_handle(timer, self.scrub))
        parts.append(',"when":%s' % seconds(timer._when))
        self.close(parts)

    def heap_rebuilt(self, loop, before, after):
        parts = self.open(loop, 'heap_rebuilt')
        self.field(parts, 'before', before)
        self.field(parts, 'after', after)
        self.close(parts)

    def select_begin(self, loop, kind, timeout, reason):
        parts = self.open(loop, 'select_begin')
        self.field(parts, 'selector', kind)
        if timeout is None:
            self.field(parts, 'timeout', None)
        else:
            parts.append(',"timeout":%s' % seconds(timeout))
        self.field(parts, 'reason', reason)
        self.close(parts)

    def select_end(self, loop, nevents):
        parts = self.open(loop, 'select_end')
        self.field(parts, 'events', nevents)
        self.close(parts)

    def io_event(self, loop, fd, mask, handle):
        parts = self.open(loop, 'io_event')
        self.field(parts, 'fd', fd)
        self.field(parts, 'mask', 'read' if mask == selectors.EVENT_READ else 'write')
        self.handle_fields(loop, parts, handle)
        self.close(parts)

    def timer_ready(self, loop, timer):
        parts = self.open(loop, 'timer_ready')
        description = None  # a cancelled timer due with a live one: named as before its cancel()
        if self.causes and timer._cancelled:
            description = self.cancelled_desc.get(self.h_of_handle(timer))
        self.handle_fields(loop, parts, timer, description)
        parts.append(',"when":%s,"late":%s' % (seconds(timer._when), seconds(max(0.0, loop.time() - timer._when))))
        self.close(parts)

    def callback(self, loop, name, handle, real=None, description=None):
        task = task_of(handle._callback)
        if task is not None:
            self.renamed(loop, task)
        parts = self.open(loop, name)
        if self.causes and description is None and handle._cancelled:
            description = self.cancelled_desc.pop(self.h_of_handle(handle), None)
        self.handle_fields(loop, parts, handle, description)
        if real is not None:
            parts.append(',"real":%s' % seconds(real))
        self.close(parts)

    def task_created(self, loop, task, frame=None):
        parts = self.open(loop, 'task_created')
        self.task_fields(parts, task)
        if self.causes:
            self.pending_tasks[task] = task.cancelling()
            running = getattr(loop, '_running_cb', None)
            if running is not None and running[1] is not None:
                self.field(parts, 'by_task', running[1])
            while frame is not None:  # where create_task was called: the program's innermost frame
                at = self.where(frame.f_code.co_filename, frame.f_lineno)
                if at is not None:
                    self.field(parts, 'at', at)
                    break
                frame = frame.f_back
        self.close(parts)

    def task_step_end(self, loop, task):
        """What the step did, read from the task after it: done (how), waiting on _fut_waiter
        (awaited), or neither (a bare yield: its next step is already queued)."""
        self.renamed(loop, task)
        if self.causes and not task.done():
            pending_on = task._fut_waiter
            if (pending_on is not None and not isinstance(pending_on, asyncio.Task)
                    and pending_on not in self.announced and pending_on not in self.sleeps):
                self.combinator_created(loop, task, pending_on)
        parts = self.open(loop, 'task_step_end')
        self.task_fields(parts, task)
        waiter = None
        if task.done():
            outcome = 'cancelled' if task.cancelled() else ('raised' if task._exception is not None else 'returned')
        else:
            waiter = task._fut_waiter
            outcome = 'yielded' if waiter is None else 'awaited'
        self.field(parts, 'outcome', outcome)
        if self.causes and outcome in ('awaited', 'yielded'):
            at = self.suspended_at(task)
            if at is not None:
                self.field(parts, 'at', at)
        if waiter is not None:
            if isinstance(waiter, asyncio.Task):
                self.field(parts, 'awaited', 'Task ' + repr(waiter.get_name()))
                self.field(parts, 'awaited_task', self.task_id(waiter))
            else:
                fid = self.future_id(waiter)
                delay = self.sleeps.get(waiter)
                if delay is not None:
                    label = 'sleep(%g)' % delay
                else:
                    label = self.announced.get(waiter) or _call_label(task) or 'Future'
                self.field(parts, 'awaited', label)
                self.field(parts, 'future', fid)
        self.close(parts)
        if task.done():
            parts = self.open(loop, 'task_done')
            self.task_fields(parts, task)
            self.field(parts, 'state', 'cancelled' if task.cancelled() else 'finished')
            self.field(parts, 'repr', self.scrub(repr(task)))
            if self.causes:
                self.pending_tasks.pop(task, None)
                by = self.cancelled_by.pop(task, None)
                if by is not None and by[0] is not None and task.cancelled() and by[1] != self.task_id(task):
                    self.field(parts, 'cancel_by_h', by[0])
                    if by[1] is not None:
                        self.field(parts, 'cancel_by_task', by[1])
            self.close(parts)

    def combinator_created(self, loop, task, waiter):
        """A combinator's future (gather, wait, wait_for, shield, TaskGroup), first awaited: what it
        is and the children it waits for, before the awaiting step's line, as the C++ writer puts its
        future_created line (--tree reads it). CPython keeps no such record: a gather's children are
        its _children; the others' are the pending tasks whose done callback feeds this future
        (asyncio_trace_stuck.py reads them). A plain future no combinator feeds gets no line."""
        group = _awaiting_task_group(task)
        if isinstance(waiter, asyncio.tasks._GatheringFuture):
            what, kids = 'gather', list(getattr(waiter, '_children', ()))
        elif group is not None and group._on_completed_fut is waiter:
            # Its tasks, done ones included until their _on_task_done has run (the C++ list too).
            what, kids = 'TaskGroup', sorted(group._tasks, key=self.task_id)
        else:
            what, kids = None, []
            combinator_of = _stuck_module()._combinator_of
            for other in sorted(asyncio.all_tasks(loop), key=self.task_id):
                for callback, _ in (getattr(other, '_callbacks', None) or ()):
                    found = combinator_of(callback)
                    if found is None or found[1] is None:
                        continue
                    kind, target = found
                    if kind == 'TaskGroup' and target._on_completed_fut is waiter or target is waiter:
                        what = kind
                        kids.append(other)
            # wait_for's own waiter, or the one of _cancel_and_wait (wait_for cancelling its inner
            # future after the timeout), when what they wait for is no task (shield's future) or is
            # done already (its callback has run): the C++ runtime names both wait_for.
            if what is None and any(_awaiting_in(task, f, waiter)
                                    for f in (asyncio.tasks.wait_for, asyncio.tasks._cancel_and_wait)):
                what = 'wait_for'
            if what is None:
                return
        self.announced[waiter] = what
        fid = self.future_id(waiter)
        children = []
        for child in kids:
            if isinstance(child, asyncio.Task):
                children.append('{"task":%d}' % self.task_id(child))
            elif child in self.futures:
                children.append('{"future":%d}' % self.futures[child])
        parts = self.open(loop, 'future_created')
        self.field(parts, 'future', fid)
        self.field(parts, 'what', what)
        at = self.suspended_at(task)  # where the task awaits it (the C++ writer's `at`)
        if at is not None:
            self.field(parts, 'at', at)
        parts.append(',"children":[%s]' % ','.join(children))
        self.close(parts)

    def future_id(self, future):
        fid = self.futures.get(future)
        if fid is None:
            self.future_count += 1
            fid = self.futures[future] = self.future_count
        return fid

    def future_done(self, loop, future):
        if not self.causes:
            fid = self.futures.pop(future, None)
            if fid is None:
                return  # nobody awaited it: not worth a line
        else:
            if future in self.done_written:
                return
            self.done_written.add(future)
            fid = self.future_id(future)
        parts = self.open(loop, 'future_done')
        self.field(parts, 'future', fid)
        self.field(parts, 'state', 'cancelled' if future.cancelled() else 'finished')
        if self.causes:
            if future.cancelled():
                self.field(parts, 'how', 'cancel')
            elif future._exception is not None:  # not exception(): it would silence "never retrieved"
                self.field(parts, 'how', 'exception')
                self.field(parts, 'exc', self.scrub(repr(future._exception)))
            else:
                self.field(parts, 'how', 'result')
            self.by_fields(parts, loop)
        self.close(parts)

    # -- the causes' own lines
    def scheduled(self, loop, handle, how, by=None, extra=()):
        """A handle entered the ready queue or the heap: its new id, how and by whom."""
        description = describe_handle(handle, self.scrub, settled=how == 'done_callback')
        task = task_of(handle._callback)
        if task is not None:
            self.renamed(loop, task)
        self.new_h(handle)
        parts = self.open(loop, 'scheduled')
        self.handle_fields(loop, parts, handle, description)
        self.field(parts, 'how', how)
        for key, value in extra:
            if isinstance(value, float):
                parts.append(',"%s":%s' % (key, seconds(value)))
            else:
                self.field(parts, key, value)
        if by is None:
            self.by_fields(parts, loop)
        else:
            self.field(parts, 'by', by)
        self.close(parts)

    def handle_cancelled(self, loop, handle):
        h = self.h_of_handle(handle)
        if h is None or h not in self.queued:
            return  # not queued (a reader's handle between events, one already run)
        self.queued.discard(h)
        description = self.cancelled_desc[h] = describe_handle(handle, self.scrub)
        parts = self.open(loop, 'handle_cancelled')
        self.handle_fields(loop, parts, handle, description)
        self.by_fields(parts, loop)
        self.close(parts)

    def callback_raised(self, loop, handle, exc, custom):
        parts = self.open(loop, 'callback_raised')
        self.handle_fields(loop, parts, handle)
        self.field(parts, 'exc', self.scrub(repr(exc)))
        self.field(parts, 'handler', 'custom' if custom else 'default')
        self.close(parts)

    def flush_threadsafe(self, loop):
        """call_soon_threadsafe's handles, written when the loop takes them in (by: thread)."""
        taken, others = [], []
        while self.threadsafe:
            entry = self.threadsafe.popleft()
            (taken if entry[0] is loop else others).append(entry)
        self.threadsafe.extend(others)  # another loop's: it takes them in itself
        for _, handle in taken:
            self.scheduled(loop, handle, 'call_soon_threadsafe', by='thread')

    def check_cancels(self, loop, everything=False):
        """Task.cancel() of the C Task cannot be hooked: a task whose cancelling() count grew was
        cancelled by what is running (the callback, or the loop between passes). A cancel shows
        either on a task whose step is queued (checked after each callback and when a pass begins)
        or as the cancellation of the future it awaits (then every pending task is checked, while
        the canceller still runs): the cost stays small with thousands of tasks."""
        running = getattr(loop, '_running_cb', None)
        by = (None, None) if running is None else running
        runnable = self.runnable
        tasks = self.pending_tasks.items() if everything else runnable.items()
        changed = [(task, seen, now) for task, seen in tasks if seen is not None and (now := task.cancelling()) != seen]
        for task, seen, now in changed:
            self.pending_tasks[task] = now
            if task in runnable:
                runnable[task] = now
            if now > seen and task not in self.cancelled_by:
                self.cancelled_by[task] = by
            elif now == 0:
                self.cancelled_by.pop(task, None)  # uncancel()ed: a timeout or TaskGroup took it back

    def suspended_at(self, task):
        """Where a task's coroutine is suspended: the innermost frame of the program along the
        chain of what it awaits (cr_await, gi_yieldfrom, ag_await)."""
        obj, at, depth = task.get_coro(), None, 0
        while obj is not None and depth < 100:
            frame = getattr(obj, 'cr_frame', None) or getattr(obj, 'gi_frame', None) or getattr(obj, 'ag_frame', None)
            if frame is not None:
                here = self.where(frame.f_code.co_filename, frame.f_lineno)
                if here is not None:
                    at = here
            obj = getattr(obj, 'cr_await', None) or getattr(obj, 'gi_yieldfrom', None) or getattr(obj, 'ag_await', None)
            depth += 1
        return at

    def stuck(self, loop, report):
        """The stuck line (runtime/asyncio/trace.cpp JsonlWriter::stuck), then, unless
        ASYNCIO_TRACE_STUCK=report, the end of the stream and of the program: exit status 4."""
        parts = self.open(loop, 'stuck')
        self.field(parts, 'pass', report.pass_)
        parts.append(',"tasks":[%s]' % ','.join(str(self.task_id(t)) for t in report.tasks))
        parts.append(',"cycles":[%s]' % ','.join(
            '[%s]' % ','.join(str(self.task_id(t)) for t in cycle) for cycle in report.cycles))
        parts.append(',"orphans":[%s]' % ','.join(str(self.future_id(f)) for f, _ in report.orphans))
        self.field(parts, 'text', report.text)
        self.close(parts)
        if os.environ.get('ASYNCIO_TRACE_STUCK') == 'report':
            self.write_out()
            return
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        self.end('stuck')
        os._exit(STUCK_EXIT_STATUS)


STUCK_EXIT_STATUS = 4  # as the C++ runtime's (asyncio-trace passes it on)


def fcntl_dupfd(fd):
    """A close-on-exec copy of fd numbered 100 or more, so the fds the program opens are numbered
    as they would be untraced (as the C++ writer does)."""
    import fcntl
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100)


RECORDER = None  # the one Recorder of this process (None: tracing is off)
PROJECT_ROOT = os.sep  # the program's project (its repository's root), with a trailing separator
RECORDER_FILE = os.path.abspath(__file__)

# ---------------------------------------------------------------- what a handle runs

_STEP_NAMES = frozenset({'__step', '_Task__step', 'task_wakeup', '__wakeup', '_Task__wakeup'})


def task_of(callback):
    """The task whose step (or wakeup) this callback is, else None. The C Task queues a
    TaskStepMethWrapper or its bound task_wakeup; the pure-Python Task its bound methods."""
    owner = getattr(callback, '__self__', None)
    if not isinstance(owner, asyncio.Task):
        return None
    if type(callback).__name__ == 'TaskStepMethWrapper' or getattr(callback, '__name__', None) in _STEP_NAMES:
        return owner
    return None


class _Settled:
    """Stands for a future in a done callback's arguments while the C Future queues its done
    callbacks: its repr is the future's without `cb=[...]` (the callbacks are cleared just after),
    so the scheduled line describes the handle as its callback_begin will."""
    __slots__ = ('text',)

    def __init__(self, future):
        from asyncio import base_futures, base_tasks
        if isinstance(future, asyncio.Task):
            info = base_tasks._task_repr_info(future)
        else:
            info = base_futures._future_repr_info(future)
        self.text = '<%s %s>' % (type(future).__name__, ' '.join(i for i in info if not i.startswith('cb=[')))

    def __repr__(self):
        return self.text


def describe_handle(handle, scrub, settled=False):
    """The callback as CPython's Handle repr shows it (format_helpers._format_callback_source),
    scrubbed of addresses and absolute paths. The C Task's step is a TaskStepMethWrapper whose
    repr is only an address: it is named Task.__step(), as the pure-Python Task shows it."""
    callback = handle._callback
    if type(callback).__name__ == 'TaskStepMethWrapper':
        return 'Task.__step()'
    args = handle._args
    if settled:
        args = (_Settled(args[0]),)
    try:
        text = format_helpers._format_callback_source(callback, args)
    except Exception:  # a user __repr__ that raises must not stop the program
        text = getattr(callback, '__qualname__', type(callback).__name__) + '(...)'
    return scrub(text)


# ---------------------------------------------------------------- the instrumented loop

class RecordingHandle(events.Handle):
    """A loop's Handle with callback_begin/end around CPython's own Handle._run, and the task's
    step outcome read just after it."""
    __slots__ = ()

    def _run(self):
        rec, loop = RECORDER, self._loop
        task = task_of(self._callback)
        if not rec.causes:
            rec.callback(loop, 'callback_begin', self)
            try:
                events.Handle._run(self)
            finally:
                if task is not None:
                    rec.task_step_end(loop, task)
                rec.drain_output()
                rec.callback(loop, 'callback_end', self)
            return
        h = rec.h_of_handle(self)
        if h is None and rec.threadsafe:  # taken in by another thread after this pass's select
            rec.flush_threadsafe(loop)
            h = rec.h_of_handle(self)
        rec.queued.discard(h)
        if task is not None:
            rec.runnable.pop(task, None)
        description = describe_handle(self, rec.scrub)  # a callback that cancels its own handle
        rec.callback(loop, 'callback_begin', self, description=description)
        loop._running_cb = (h, None if task is None else rec.task_id(task))
        began = time.monotonic()
        try:
            events.Handle._run(self)
        finally:
            real = time.monotonic() - began
            rec.check_cancels(loop)
            loop._running_cb = None
            if task is not None:
                rec.task_step_end(loop, task)
            rec.drain_output()
            rec.callback(loop, 'callback_end', self, real, description)

    def cancel(self):
        if not self._cancelled and RECORDER is not None and RECORDER.causes:
            RECORDER.handle_cancelled(self._loop, self)
        super().cancel()


class RecordingTimerHandle(events.TimerHandle):
    """A TimerHandle that reports when _run_once takes it off the heap: _scheduled becomes
    False in step 1 for a cancelled timer (dropped) and in step 3 for a due one (ready)."""
    __slots__ = ()
    _run = RecordingHandle._run

    def cancel(self):
        if not self._cancelled and RECORDER is not None and RECORDER.causes:
            RECORDER.handle_cancelled(self._loop, self)
        super().cancel()

    @property
    def _scheduled(self):
        return _TIMER_SCHEDULED.__get__(self)

    @_scheduled.setter
    def _scheduled(self, value):
        was = _TIMER_SCHEDULED.__get__(self)
        _TIMER_SCHEDULED.__set__(self, value)
        if was and not value and RECORDER is not None:
            loop = self._loop
            if loop._step == 1:
                loop._dropped.append(self)  # written at the rebuild or when step 2 begins
            else:
                RECORDER.timer_ready(loop, self)


_TIMER_SCHEDULED = events.TimerHandle.__dict__['_scheduled']

# CPython's messages name a handle's class (the default exception handler's "handle: <Handle
# boom() at ...>"): the recording classes keep CPython's names.
RecordingHandle.__name__ = RecordingHandle.__qualname__ = 'Handle'
RecordingTimerHandle.__name__ = RecordingTimerHandle.__qualname__ = 'TimerHandle'


class RecordingReady(__import__('collections').deque):
    """The loop's ready queue: step 4 is the only caller of popleft(); a cancelled handle it
    takes is skipped by _run_once (callback_skipped)."""

    def __init__(self, loop):
        super().__init__()
        self.loop = loop
        self.taken = 0

    def popleft(self):
        handle = super().popleft()
        self.taken += 1
        if handle._cancelled:
            RECORDER.queued.discard(RECORDER.h_of_handle(handle))
            RECORDER.callback(self.loop, 'callback_skipped', handle)
        return handle


class RecordingSelector(selectors.BaseSelector):
    """The real selector, wrapped: select() reports step 2 (the timeout _run_once computed and
    why), and on the virtual clock a wait for a timer becomes a poll that, finding nothing,
    moves the clock to the timer's deadline (BaseEventLoop::select_ in the C++ runtime)."""

    def __init__(self, real):
        self.real = real
        self.kind = type(real).__name__.replace('Selector', '').lower() or 'select'
        self.loop = None

    def register(self, fileobj, events_, data=None):
        return self.real.register(fileobj, events_, data)

    def unregister(self, fileobj):
        return self.real.unregister(fileobj)

    def modify(self, fileobj, events_, data=None):
        return self.real.modify(fileobj, events_, data)

    def get_key(self, fileobj):
        return self.real.get_key(fileobj)

    def get_map(self):
        return self.real.get_map()

    def close(self):
        self.real.close()

    def select(self, timeout=None):
        loop = self.loop
        if loop._ready:
            reason = 'ready'
        elif loop._stopping:
            reason = 'stopping'
        elif loop._scheduled:
            reason = 'timer'
        else:
            reason = 'none'
        loop._flush_dropped()
        RECORDER.select_begin(loop, self.kind, timeout, reason)
        ready = None
        if timeout is None and not loop._stuck_reported and RECORDER.fd >= 0:
            ready = self.check_stuck(loop)
        if ready is not None:
            pass
        elif not loop._virtual or timeout is None:
            ready = self.real.select(timeout)
        else:
            ready = self.real.select(0)
            if not ready and reason == 'timer':
                loop._now = max(loop._now, min(loop._scheduled[0]._when,
                                               loop._now + base_events.MAXIMUM_SELECT_TIMEOUT))
        RECORDER.select_end(loop, len(ready))
        if RECORDER.threadsafe:
            RECORDER.flush_threadsafe(loop)
        loop._step = 3
        return ready

    def check_stuck(self, loop):
        """BaseEventLoop::check_stuck_: step 2 is about to wait with no timeout; stuck if nothing
        can ever wake the loop (no fd but the self-pipe, no signal handler, no executor job or
        child process, no other thread seen calling in) while tasks are pending. Reported once per
        loop. Returns what a poll of the selector found when something had already woken it (a
        byte on the self-pipe), else None."""
        own = loop._ssock.fileno()
        if any(key.fd != own for key in self.real.get_map().values()) or loop._signal_handlers \
                or loop._shutting_down_executor() or loop._foreign_thread_seen or loop._children_running() \
                or any(not f.done() for f in loop._executor_jobs or ()):
            return None
        if not any(not t.done() for t in asyncio.all_tasks(loop)):
            return None
        ready = self.real.select(0)  # a signal's or another thread's byte already written
        if ready:
            return ready
        loop._stuck_reported = True
        RECORDER.stuck(loop, _stuck_module().StuckReport(loop, RECORDER, loop._passes))
        return None


def _suspended_in(task, code):
    """The frame running `code` on the chain of coroutines the task is suspended through, or None."""
    coro = task.get_coro()
    while coro is not None:
        frame = getattr(coro, 'cr_frame', None)
        if frame is not None and frame.f_code is code:
            return frame
        coro = getattr(coro, 'cr_await', None)
    return None


# The public suspending calls of locks, queues and streams a trace names what a task awaits by
# ("awaited Queue.get()"): the C++ runtime labels the same calls (detail::TracedCall in
# runtime/asyncio/locks.cpp, queues.cpp, streams.cpp).
_CALL_LABELS = frozenset((
    'Queue.get', 'Queue.put', 'Queue.join', 'Lock.acquire', 'Event.wait', 'Condition.wait',
    'Condition.wait_for', 'Semaphore.acquire', 'Barrier.wait', 'Barrier.reset', 'Barrier.abort',
    'StreamReader.read', 'StreamReader.readline', 'StreamReader.readuntil', 'StreamReader.readexactly',
    'StreamWriter.drain', 'StreamWriter.wait_closed', 'as_completed'))
# Frames whose label is not their own name: as_completed()'s items are its inner _wait_for_one()
# (awaiting its Queue's get()); the C++ runtime names that wait 'as_completed()' too.
_CALL_RENAMES = {'as_completed.<locals>._wait_for_one': 'as_completed'}
_ASYNCIO_DIR = os.path.dirname(asyncio.__file__) + os.sep


def _call_label(task):
    """The asyncio call the program's code made that the task is suspended in: the outermost
    asyncio frame of its coroutine chain (`async with lock` enters through __aenter__: the call
    under it), 'Queue.get()' if it is one of _CALL_LABELS, else None. Barrier.wait() waits in a
    Condition's wait(): the program called Barrier.wait(), so that is the label."""
    obj, depth = task.get_coro(), 0
    while obj is not None and depth < 100:
        frame = getattr(obj, 'cr_frame', None) or getattr(obj, 'gi_frame', None) or getattr(obj, 'ag_frame', None)
        if frame is not None and frame.f_code.co_filename.startswith(_ASYNCIO_DIR):
            code = frame.f_code
            if code.co_name not in ('__aenter__', '__aexit__'):
                name = _CALL_RENAMES.get(code.co_qualname, code.co_qualname)
                return name + '()' if name in _CALL_LABELS else None
        obj = getattr(obj, 'cr_await', None) or getattr(obj, 'gi_yieldfrom', None) or getattr(obj, 'ag_await', None)
        depth += 1
    return None


def _awaiting_task_group(task):
    """The TaskGroup whose `async with` exit the task is suspended in (its __aexit__ frame holds
    `self`), or None."""
    frame = _suspended_in(task, asyncio.TaskGroup.__aexit__.__code__)
    return None if frame is None else frame.f_locals.get('self')


def _awaiting_in(task, function, waiter):
    """Whether the task is suspended in `function` (a coroutine function) awaiting its `waiter`."""
    frame = _suspended_in(task, function.__code__)
    return frame is not None and frame.f_locals.get('waiter') is waiter


def _stuck_module():
    """asyncio_trace_stuck.py, next to this file, loaded the first time a loop may be stuck."""
    module = sys.modules.get('asyncio_trace_stuck')
    if module is None:
        import importlib.util
        path = os.path.join(os.path.dirname(RECORDER_FILE), 'asyncio_trace_stuck.py')
        spec = importlib.util.spec_from_file_location('asyncio_trace_stuck', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules['asyncio_trace_stuck'] = module
    return module


class RecordingEventLoop(asyncio.SelectorEventLoop):
    """CPython's selector event loop with the recorder's instruments. Nothing here decides what
    the loop does: each method calls CPython's own and reports what it did."""

    def __init__(self, selector=None):
        _start_recorder()  # the stream begins with the first loop, as the C++ writer's does
        self._virtual = os.environ.get('ASYNCIO_CLOCK') == 'virtual'
        self._now = 0.0
        self._passes = 0
        self._step = 0          # 1 from the pass's start until select returns, then 3
        self._dropped = []      # cancelled timers step 1 took off the heap, not yet written
        self._running_cb = None  # (h, task id or None) of the step-4 callback running (causes)
        self._delay = None      # call_later's delay, for the scheduled line call_at writes
        self._signal = False    # _handle_signal is queueing a signal handler's handle
        recording = RecordingSelector(selector or selectors.DefaultSelector())
        super().__init__(recording)
        recording.loop = self
        self._ready = RecordingReady(self)

    def time(self):
        return self._now if self._virtual else super().time()

    # _scheduled is a property so a heap rebuild (step 1 assigns a new list) is seen.
    @property
    def _scheduled(self):
        return self.__dict__['_scheduled']

    @_scheduled.setter
    def _scheduled(self, value):
        old = self.__dict__.get('_scheduled')
        self.__dict__['_scheduled'] = value
        if old is not None and self._step == 1:
            self._flush_dropped()
            RECORDER.heap_rebuilt(self, len(old), len(value))

    def _flush_dropped(self):
        dropped, self._dropped = self._dropped, []
        for timer in dropped:
            RECORDER.timer_dropped(self, timer)

    def _run_once(self):
        self._passes += 1
        index = self._passes
        RECORDER.pass_begin(self, index)
        if RECORDER.causes:
            RECORDER.check_cancels(self)  # what the program did between passes (asyncio.run's clean-up)
        self._ready.taken = 0
        self._step = 1
        try:
            super()._run_once()
        finally:
            self._step = 0
            self._flush_dropped()
            RECORDER.pass_end(self, index, self._ready.taken)

    def _call_soon(self, callback, args, context):
        rec = RECORDER
        if not rec.causes:
            # A done callback of an awaited future is queued right after the future completed.
            if args and rec.futures and isinstance(args[0], asyncio.Future) and args[0].done():
                rec.future_done(self, args[0])
            handle = super()._call_soon(callback, args, context)
            handle.__class__ = RecordingHandle
            return handle
        if getattr(_THREAD_STATE, 'threadsafe', False):
            handle = super()._call_soon(callback, args, context)
            handle.__class__ = RecordingHandle
            rec.threadsafe.append((self, handle))  # written when this loop takes it in (step 2)
            return handle
        how, extra = 'call_soon', ()
        task = task_of(callback)
        if task is not None and (type(callback).__name__ == 'TaskStepMethWrapper' or
                                 getattr(callback, '__name__', None) in ('__step', '_Task__step')):
            how = 'task_step'
        elif len(args) == 1 and isinstance(args[0], asyncio.Future) and args[0].done():
            # A future (or task) completed and queues its done callbacks through loop.call_soon(cb,
            # fut, context=...) (C Future: future_schedule_callbacks; also add_done_callback on a
            # done future).
            future = args[0]
            how = 'done_callback'
            if future.cancelled() and future not in rec.done_written:
                rec.check_cancels(self, everything=True)  # a task's cancel() cancels what it awaits
            if isinstance(future, asyncio.Task):
                extra = (('of_task', rec.task_id(future)),)
            else:
                if future not in rec.done_written and _in_callbacks(future, callback):
                    rec.future_done(self, future)
                extra = (('future', rec.future_id(future)),)
        handle = super()._call_soon(callback, args, context)
        handle.__class__ = RecordingHandle
        if how == 'task_step' and task not in rec.tasks:  # Task.__init__ queues the first step
            rec.task_created(self, task, sys._getframe(1))
        if task is not None:
            rec.runnable[task] = rec.pending_tasks.get(task)  # its cancelling() count, None if unknown
        rec.scheduled(self, handle, how, extra=extra)
        return handle

    def call_soon_threadsafe(self, callback, *args, context=None):
        # Another thread knows this loop: it may call again, so the loop is never reported stuck.
        # asyncio's own threads are counted as jobs: an executor job's completion (_chain_future's
        # _set_state) and a child watcher's (the transport's _process_exited).
        if events._get_running_loop() is not self and getattr(callback, '__qualname__', None) not in (
                '_chain_future.<locals>._set_state', 'BaseSubprocessTransport._process_exited'):
            self._foreign_thread_seen = True
        if not RECORDER.causes:
            return super().call_soon_threadsafe(callback, *args, context=context)
        _THREAD_STATE.threadsafe = True
        try:
            return super().call_soon_threadsafe(callback, *args, context=context)
        finally:
            _THREAD_STATE.threadsafe = False

    def call_at(self, when, callback, *args, context=None):
        timer = super().call_at(when, callback, *args, context=context)
        timer.__class__ = RecordingTimerHandle
        rec = RECORDER
        if rec.causes:
            delay, self._delay = self._delay, None
            extra = [('when', float(timer._when))]
            if delay is not None:
                extra.append(('delay', float(delay)))
                if callback is futures._set_result_unless_cancelled and args and isinstance(args[0], asyncio.Future):
                    extra.append(('sleep', float(delay)))
            rec.scheduled(self, timer, 'call_at', extra=extra)
        return timer

    def call_later(self, delay, callback, *args, context=None):
        # asyncio.sleep(delay) awaits a future a timer will resolve: name the wait after it.
        if callback is futures._set_result_unless_cancelled and args and isinstance(args[0], asyncio.Future):
            RECORDER.sleeps[args[0]] = delay
        self._delay = delay
        try:
            return super().call_later(delay, callback, *args, context=context)
        finally:
            self._delay = None

    def _add_callback(self, handle):
        if handle.__class__ is events.Handle:
            handle.__class__ = RecordingHandle
        rec = RECORDER
        fd_mask = self._io_pending.get(id(handle)) if self._io_pending else None
        if fd_mask is not None and not handle._cancelled:
            if rec.causes:
                rec.new_h(handle)  # a ready fd's handle: its io_event is its cause
            rec.io_event(self, fd_mask[0], fd_mask[1], handle)
        elif self._signal and rec.causes and not handle._cancelled:
            rec.scheduled(self, handle, 'signal')
        super()._add_callback(handle)

    def _handle_signal(self, sig):
        self._signal = True
        try:
            super()._handle_signal(sig)
        finally:
            self._signal = False

    def call_exception_handler(self, context):
        rec = RECORDER
        running = self._running_cb
        handle = context.get('handle')
        exc = context.get('exception')
        if rec.causes and running is not None and exc is not None and handle is not None \
                and rec.h_of_handle(handle) == running[0]:
            rec.callback_raised(self, handle, exc, self._exception_handler is not None)
        return super().call_exception_handler(context)

    _io_pending = None

    def _process_events(self, event_list):
        # Which fd and mask queued each handle: _add_callback reports it as an io_event.
        pending = {}
        for key, mask in event_list:
            reader, writer = key.data if isinstance(key.data, tuple) else (None, None)
            if mask & selectors.EVENT_READ and reader is not None:
                pending[id(reader)] = (key.fd, selectors.EVENT_READ)
            if mask & selectors.EVENT_WRITE and writer is not None:
                pending[id(writer)] = (key.fd, selectors.EVENT_WRITE)
        self._io_pending = pending
        try:
            super()._process_events(event_list)
        finally:
            self._io_pending = None

    def close(self):
        # Steps that will never run no longer keep their tasks alive (CPython then says "Task was
        # destroyed but it is pending!", as untraced).
        runnable = RECORDER.runnable
        for task in [t for t in runnable if t.get_loop() is self]:
            del runnable[task]
        super().close()

    # Set on first use: a loop that starts no job allocates nothing more (CPython's all_tasks() is
    # a set, in address order, which asyncio.run's clean-up follows: twin traces depend on it).
    _stuck_reported = False     # the stuck report is written once per loop
    _foreign_thread_seen = False  # another thread called call_soon_threadsafe
    _executor_jobs = None       # run_in_executor's futures
    _subprocess_transports = None  # subprocess transports (their child watcher wakes the loop)

    def run_in_executor(self, executor, func, *args):
        # Counted when the loop may be stuck, not by a done callback (it would be a callback of
        # its own in step 4, which the untraced program does not run).
        future = super().run_in_executor(executor, func, *args)
        if self._executor_jobs is None:
            self._executor_jobs = weakref.WeakSet()
        self._executor_jobs.add(future)
        return future

    def _shutting_down_executor(self):
        """A shutdown_default_executor() task in flight: its thread calls call_soon_threadsafe
        when the executor is down. Read from the tasks, not by overriding the coroutine (a task's
        repr names its coroutine, which must stay CPython's)."""
        code = base_events.BaseEventLoop.shutdown_default_executor.__code__
        return any(getattr(t.get_coro(), 'cr_code', None) is code
                   for t in asyncio.all_tasks(self) if not t.done())

    async def _make_subprocess_transport(self, *args, **kwargs):
        transport = await super()._make_subprocess_transport(*args, **kwargs)
        if self._subprocess_transports is None:
            self._subprocess_transports = weakref.WeakSet()
        self._subprocess_transports.add(transport)
        return transport

    def _children_running(self):
        """A child process still running: the child watcher's thread (or pidfd) wakes the loop
        when it exits."""
        return any(t.get_returncode() is None for t in self._subprocess_transports or ())

    def create_task(self, coro, *, name=None, context=None):
        task = super().create_task(coro, name=name, context=context)
        if task._source_traceback:  # debug mode: "created at" names the program's caller, not this line
            del task._source_traceback[-1]
        if task not in RECORDER.tasks:  # with the causes, written when its first step is queued
            RECORDER.task_created(self, task, sys._getframe(1))
        return task


_THREAD_STATE = threading.local()  # .threadsafe: inside call_soon_threadsafe on this thread


def _in_callbacks(future, callback):
    """Whether callback is one of future's done callbacks still registered: true while the C
    Future's future_schedule_callbacks queues them (it clears the list after), false for
    add_done_callback on a future already done (it queues at once, registering nothing)."""
    try:
        callbacks = future._callbacks
    except AttributeError:
        return True
    return any(cb is callback for cb, _ in callbacks or ())


_set_task_name = asyncio.tasks._set_task_name


def _recording_set_task_name(task, name):
    """asyncio.create_task(coro, name=...) and TaskGroup.create_task create the task, then name
    it with tasks._set_task_name: the rename is written at once, as the C++ runtime writes it."""
    _set_task_name(task, name)
    if RECORDER is not None and name is not None:
        RECORDER.renamed(task.get_loop(), task)


class RecordingPolicy(asyncio.DefaultEventLoopPolicy):
    _loop_factory = RecordingEventLoop


# ---------------------------------------------------------------- running a program

def recorder_from_environment(program_dir):
    """ASYNCIO_TRACE=jsonl:fd:N or jsonl:PATH, as the C++ runtime reads it."""
    value = os.environ.get('ASYNCIO_TRACE', '')
    if not value.startswith('jsonl:'):
        if value:
            sys.stderr.write('asyncio: ASYNCIO_TRACE=%s: the Python recorder writes jsonl:PATH or jsonl:fd:N '
                             '(tracing is off)\n' % value)
        return None
    target = value[6:]
    try:
        if target.startswith('fd:'):
            fd = int(target[3:])
            os.fstat(fd)
        else:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    except (ValueError, OSError) as e:
        sys.stderr.write('asyncio: ASYNCIO_TRACE=%s: %s (tracing is off)\n'
                         % (value, getattr(e, 'strerror', None) or 'not an open file descriptor'))
        return None
    step = os.environ.get('ASYNCIO_TRACE_STEP', '')
    step_fd = int(step[3:]) if step.startswith('fd:') and step[3:].isdigit() else -1
    causes = os.environ.get('ASYNCIO_TRACE_CAUSES', '')
    if causes not in ('', 'on', 'off'):
        sys.stderr.write('asyncio: ASYNCIO_TRACE_CAUSES=%s: on or off (the default, %s, is kept)\n'
                         % (causes, 'on' if CAUSES_DEFAULT else 'off'))
    rec = Recorder(fd, Scrubber(program_dir), step_fd,
                   causes=causes == 'on' if causes in ('on', 'off') else CAUSES_DEFAULT)
    if os.environ.get('ASYNCIO_TRACE_OUTPUT') == 'capture':
        rec.capture(1)
        if rec.causes:
            rec.capture(2)
    return rec


def project_root(directory):
    """The program's project: the nearest directory up holding .git (a repository or a
    worktree), else the program's own directory. Source locations (`at`) are relative to it, as
    the C++ runtime's are relative to the repository's root."""
    here = directory
    while True:
        if os.path.exists(os.path.join(here, '.git')):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return directory
        here = parent


def _program_traceback(tb, program):
    """The traceback from the program's own first frame on (the recorder's and runpy's frames
    are not the program's)."""
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != program:
        tb = tb.tb_next
    return tb


PROGRAM_DIR = ''
_started = False


def _start_recorder():
    """Opens the stream when the first loop is made: a program that never starts a loop writes
    nothing (asyncio-trace then says "no trace events", as for a C++ program)."""
    global RECORDER, _started
    if _started:
        return
    _started = True
    RECORDER = recorder_from_environment(PROGRAM_DIR)
    if RECORDER is None:  # the stream could not be opened: record into nothing, run the program
        RECORDER = Recorder(-1, Scrubber(PROGRAM_DIR))
    atexit.register(RECORDER.end, 'exit')


def main(argv):
    if len(argv) < 2:
        sys.stderr.write('usage: asyncio_trace_recorder.py PROGRAM.py [ARGS...]\n')
        return 2
    program = os.path.abspath(argv[1])
    if not os.path.isfile(program):
        sys.stderr.write('asyncio-trace: %s: %s\n' % (argv[1], os.strerror(errno.ENOENT)))
        return 2
    global PROGRAM_DIR, PROJECT_ROOT
    PROGRAM_DIR = os.path.dirname(program)
    PROJECT_ROOT = os.path.join(project_root(PROGRAM_DIR), '')
    if os.environ.get('ASYNCIO_TRACE', '').startswith('jsonl:'):
        asyncio.set_event_loop_policy(RecordingPolicy())
        asyncio.tasks._set_task_name = _recording_set_task_name
    sys.argv = argv[1:]
    sys.path[0] = os.path.dirname(program)
    try:
        runpy.run_path(program, run_name='__main__')
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # as the interpreter reports it, without the recorder's frames
        tb = _program_traceback(e.__traceback__, program) or e.__traceback__
        sys.stdout.flush()
        traceback.print_exception(type(e), e, tb)
        return 1
    return 0


if __name__ == '__main__':
    reprlib.aRepr.maxstring = 30  # CPython's default, stated: handle reprs depend on it
    sys.exit(main(sys.argv))
