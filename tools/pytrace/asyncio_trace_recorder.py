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
import traceback
import weakref
from asyncio import base_events, events, format_helpers, futures

FORMAT_VERSION = 2

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

    def __init__(self, fd, scrub, step_fd=-1):
        self.fd = fd
        self.scrub = scrub
        self.step_fd = step_fd
        self.lines = []
        self.ended = False
        self.last_loop = None
        self.loops = weakref.WeakKeyDictionary()
        self.loop_count = 0
        self.tasks = weakref.WeakKeyDictionary()      # task -> [id, last name written]
        self.task_count = 0
        self.futures = weakref.WeakKeyDictionary()    # awaited future -> id
        self.future_count = 0
        self.sleeps = weakref.WeakKeyDictionary()     # future made by sleep(delay) -> delay
        self.captured = -1
        self.saved_stdout = -1
        self.consumed = 0
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

    def handle_fields(self, loop, parts, handle):
        self.field(parts, 'handle', describe_handle(handle, self.scrub))
        task = task_of(handle._callback)
        if task is not None:
            self.task_fields(parts, task)

    # -- stdout capture (ASYNCIO_TRACE_OUTPUT=capture): fd 1 writes into a memfd, drained into
    # "output" events when a callback ends, when a pass begins and when the stream ends.
    def capture_stdout(self):
        sys.stdout.flush()
        try:
            memfd = os.memfd_create('asyncio-trace-stdout', os.MFD_CLOEXEC)
            captured = fcntl_dupfd(memfd)
            os.close(memfd)
            saved = fcntl_dupfd(1)
            os.dup2(captured, 1, inheritable=True)
        except OSError as e:
            sys.stderr.write('asyncio-trace: cannot capture stdout for the trace: %s\n' % e.strerror)
            return False
        self.captured, self.saved_stdout, self.consumed = captured, saved, 0
        return True

    def drain_output(self):
        if self.captured < 0:
            return
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        end = os.lseek(self.captured, 0, os.SEEK_CUR)
        if end <= self.consumed:
            return
        chunks = []
        offset = self.consumed
        while offset < end:
            data = os.pread(self.captured, end - offset, offset)
            if not data:
                break
            chunks.append(data)
            offset += len(data)
        self.consumed = offset
        text = b''.join(chunks).decode('utf-8', 'surrogateescape')
        self.lines.append('{"e":"output","text":%s}\n' % json_string(text))

    def stop_capture(self):
        if self.captured < 0:
            return
        self.drain_output()
        os.dup2(self.saved_stdout, 1)
        os.close(self.saved_stdout)
        os.close(self.captured)
        self.captured = self.saved_stdout = -1

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
        self.field(parts, 'handle', describe_handle(timer, self.scrub))
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
        self.handle_fields(loop, parts, timer)
        parts.append(',"when":%s,"late":%s' % (seconds(timer._when), seconds(max(0.0, loop.time() - timer._when))))
        self.close(parts)

    def callback(self, loop, name, handle):
        task = task_of(handle._callback)
        if task is not None:
            self.renamed(loop, task)
        parts = self.open(loop, name)
        self.handle_fields(loop, parts, handle)
        self.close(parts)

    def task_created(self, loop, task):
        parts = self.open(loop, 'task_created')
        self.task_fields(parts, task)
        self.close(parts)

    def task_step_end(self, loop, task):
        """What the step did, read from the task after it: done (how), waiting on _fut_waiter
        (awaited), or neither (a bare yield: its next step is already queued)."""
        self.renamed(loop, task)
        parts = self.open(loop, 'task_step_end')
        self.task_fields(parts, task)
        waiter = None
        if task.done():
            outcome = 'cancelled' if task.cancelled() else ('raised' if task._exception is not None else 'returned')
        else:
            waiter = task._fut_waiter
            outcome = 'yielded' if waiter is None else 'awaited'
        self.field(parts, 'outcome', outcome)
        if waiter is not None:
            if isinstance(waiter, asyncio.Task):
                self.field(parts, 'awaited', 'Task ' + repr(waiter.get_name()))
                self.field(parts, 'awaited_task', self.task_id(waiter))
            else:
                fid = self.futures.get(waiter)
                if fid is None:
                    self.future_count += 1
                    fid = self.futures[waiter] = self.future_count
                delay = self.sleeps.get(waiter)
                self.field(parts, 'awaited', 'Future' if delay is None else 'sleep(%g)' % delay)
                self.field(parts, 'future', fid)
        self.close(parts)
        if task.done():
            parts = self.open(loop, 'task_done')
            self.task_fields(parts, task)
            self.field(parts, 'state', 'cancelled' if task.cancelled() else 'finished')
            self.field(parts, 'repr', self.scrub(repr(task)))
            self.close(parts)

    def future_done(self, loop, future):
        fid = self.futures.pop(future, None)
        if fid is None:
            return  # nobody awaited it: not worth a line
        parts = self.open(loop, 'future_done')
        self.field(parts, 'future', fid)
        self.field(parts, 'state', 'cancelled' if future.cancelled() else 'finished')
        self.close(parts)


def fcntl_dupfd(fd):
    """A close-on-exec copy of fd numbered 100 or more, so the fds the program opens are numbered
    as they would be untraced (as the C++ writer does)."""
    import fcntl
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100)


RECORDER = None  # the one Recorder of this process (None: tracing is off)

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


def describe_handle(handle, scrub):
    """The callback as CPython's Handle repr shows it (format_helpers._format_callback_source),
    scrubbed of addresses and absolute paths. The C Task's step is a TaskStepMethWrapper whose
    repr is only an address: it is named Task.__step(), as the pure-Python Task shows it."""
    callback = handle._callback
    if type(callback).__name__ == 'TaskStepMethWrapper':
        return 'Task.__step()'
    try:
        text = format_helpers._format_callback_source(callback, handle._args)
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
        rec.callback(loop, 'callback_begin', self)
        try:
            events.Handle._run(self)
        finally:
            if task is not None:
                rec.task_step_end(loop, task)
            rec.drain_output()
            rec.callback(loop, 'callback_end', self)


class RecordingTimerHandle(events.TimerHandle):
    """A TimerHandle that reports when _run_once takes it off the heap: _scheduled becomes
    False in step 1 for a cancelled timer (dropped) and in step 3 for a due one (ready)."""
    __slots__ = ()
    _run = RecordingHandle._run

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
        if not loop._virtual or timeout is None:
            ready = self.real.select(timeout)
        else:
            ready = self.real.select(0)
            if not ready and reason == 'timer':
                loop._now = max(loop._now, min(loop._scheduled[0]._when,
                                               loop._now + base_events.MAXIMUM_SELECT_TIMEOUT))
        RECORDER.select_end(loop, len(ready))
        loop._step = 3
        return ready


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
        self._ready.taken = 0
        self._step = 1
        try:
            super()._run_once()
        finally:
            self._step = 0
            self._flush_dropped()
            RECORDER.pass_end(self, index, self._ready.taken)

    def _call_soon(self, callback, args, context):
        # A done callback of an awaited future is queued right after the future completed.
        if args and RECORDER.futures and isinstance(args[0], asyncio.Future) and args[0].done():
            RECORDER.future_done(self, args[0])
        handle = super()._call_soon(callback, args, context)
        handle.__class__ = RecordingHandle
        return handle

    def call_at(self, when, callback, *args, context=None):
        timer = super().call_at(when, callback, *args, context=context)
        timer.__class__ = RecordingTimerHandle
        return timer

    def call_later(self, delay, callback, *args, context=None):
        timer = super().call_later(delay, callback, *args, context=context)
        # asyncio.sleep(delay) awaits a future a timer will resolve: name the wait after it.
        if callback is futures._set_result_unless_cancelled and args and isinstance(args[0], asyncio.Future):
            RECORDER.sleeps[args[0]] = delay
        return timer

    def _add_callback(self, handle):
        if handle.__class__ is events.Handle:
            handle.__class__ = RecordingHandle
        fd_mask = self._io_pending.get(id(handle)) if self._io_pending else None
        if fd_mask is not None and not handle._cancelled:
            RECORDER.io_event(self, fd_mask[0], fd_mask[1], handle)
        super()._add_callback(handle)

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

    def create_task(self, coro, *, name=None, context=None):
        task = super().create_task(coro, name=name, context=context)
        RECORDER.task_created(self, task)
        return task


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
    rec = Recorder(fd, Scrubber(program_dir), step_fd)
    if os.environ.get('ASYNCIO_TRACE_OUTPUT') == 'capture':
        rec.capture_stdout()
    return rec


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
    global PROGRAM_DIR
    PROGRAM_DIR = os.path.dirname(program)
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
