# asyncio_trace_stuck.py: the stuck report of asyncio_trace_recorder.py, in the words of
# runtime/asyncio/graph.cpp (task_edges, tree_children, TreeWriter, make_stuck_report). Loaded by
# the recorder only when a loop may be stuck: a module of its own so the recorder allocates no
# more at start-up (CPython's all_tasks() is a set in address order, which asyncio.run's clean-up
# follows, and twin traces compare that order). Course: docs/trace.md ("Stuck programs")
import asyncio

# CPython 3.11 keeps no awaited_by graph: what a
# combinator's future waits for is read from the done callbacks of the pending tasks (gather,
# wait, wait_for, shield, TaskGroup each add a callback of their own that names it).

def _closure_value(function, name):
    code = getattr(function, '__code__', None)
    if code is None or name not in code.co_freevars or function.__closure__ is None:
        return None
    try:
        return function.__closure__[code.co_freevars.index(name)].cell_contents
    except ValueError:  # an empty cell
        return None


def _combinator_of(callback):
    """(what, future fed) for a combinator's done callback, ('TaskGroup', group) for a
    TaskGroup's, else None."""
    func = getattr(callback, 'func', None)
    if func is asyncio.tasks._release_waiter and callback.args:
        return 'wait_for', callback.args[0]
    owner = getattr(callback, '__self__', None)
    if isinstance(owner, asyncio.TaskGroup) and getattr(callback, '__name__', None) == '_on_task_done':
        return 'TaskGroup', owner
    qualname = getattr(callback, '__qualname__', '')
    if getattr(callback, '__module__', None) != 'asyncio.tasks':
        return None
    if qualname == '_wait.<locals>._on_completion':
        return 'wait', _closure_value(callback, 'waiter')
    if qualname == 'shield.<locals>._inner_done_callback':
        return 'shield', _closure_value(callback, 'outer')
    if qualname == 'gather.<locals>._done_callback':
        return 'gather', _closure_value(callback, 'outer')
    return None


class AwaitGraph:
    """A loop's pending tasks (in creation order) and who waits on what among them."""

    def __init__(self, loop, rec):
        self.loop = loop
        self.tasks = sorted((t for t in asyncio.all_tasks(loop) if not t.done()), key=rec.task_id)
        self.names = {}      # id(combinator future) -> what
        self.children = {}   # id(future or task) -> [pending futures/tasks it waits for]
        self.keep = []       # the keys' objects, alive while the graph is
        for task in self.tasks:
            for callback, _ in (getattr(task, '_callbacks', None) or ()):
                found = _combinator_of(callback)
                if found is None or found[1] is None:
                    continue
                what, target = found
                if what == 'TaskGroup':
                    if target._on_completed_fut is not None:
                        self._name(target._on_completed_fut, 'TaskGroup')
                    if target._parent_task is not None:
                        self._child(target._parent_task, task)
                elif what != 'gather':  # a gather's children are read from the gather itself
                    self._name(target, what)
                    self._child(target, task)
        for task in self.tasks:
            waiter = task._fut_waiter
            if isinstance(waiter, asyncio.tasks._GatheringFuture):
                self._gather(waiter)

    def _name(self, future, what):
        self.names[id(future)] = what
        self.keep.append(future)

    def _child(self, parent, child):
        kids = self.children.setdefault(id(parent), [])
        if not any(k is child for k in kids):
            kids.append(child)
        self.keep.append(parent)

    def _gather(self, outer):
        if id(outer) in self.names:
            return
        self._name(outer, 'gather')
        for child in outer._children:
            if not child.done():
                self._child(outer, child)
                if isinstance(child, asyncio.tasks._GatheringFuture):
                    self._gather(child)

    def children_of(self, future):
        return self.children.get(id(future), [])

    def label(self, future):
        """What a task waits on, in the tree's words: "Task 'b'", "gather", "Future"."""
        if isinstance(future, asyncio.Task):
            return 'Task %r' % future.get_name()
        return self.names.get(id(future)) or type(future).__name__

    def state(self, task):
        if task.done():
            return 'done'
        if asyncio.tasks.current_task(self.loop) is task:
            return 'running'
        if task._fut_waiter is not None:
            return 'waiting on ' + self.label(task._fut_waiter)
        return 'ready'

    def tree_children(self, task):
        out = []
        waiter = task._fut_waiter
        if waiter is not None:
            out = [waiter] if isinstance(waiter, asyncio.Task) else list(self.children_of(waiter))
        for child in self.children_of(task):
            if not any(c is child for c in out):
                out.append(child)
        return out

    def _waited_tasks(self, future, out, seen):
        for child in self.children_of(future):
            if id(child) in seen:
                continue
            seen.add(id(child))
            if isinstance(child, asyncio.Task):
                out.append(child)
            else:
                self._waited_tasks(child, out, seen)

    def task_edges(self, task):
        """The tasks a task waits for, through combinator futures (not through other tasks)."""
        out, seen = [], set()
        waiter = task._fut_waiter
        if waiter is not None:
            if isinstance(waiter, asyncio.Task):
                out.append(waiter)
            else:
                self._waited_tasks(waiter, out, seen)
        self._waited_tasks(task, out, seen)
        return out

    def tree(self):
        below = {id(c) for t in self.tasks for c in self.task_edges(t)}
        writer = _TreeWriter(self)
        for task in self.tasks:
            if id(task) not in below:
                writer.node(task, 0)
        for task in self.tasks:  # tasks only in cycles have no root above them
            if id(task) not in writer.shown:
                writer.node(task, 0)
        return ''.join(writer.lines)


class _TreeWriter:
    def __init__(self, graph):
        self.graph = graph
        self.lines = []
        self.shown = set()
        self.path = set()

    def node(self, future, level):
        indent = '  ' * level
        graph = self.graph
        if not isinstance(future, asyncio.Task):
            # A future under a combinator: a nested combinator shows its children, a plain one its state.
            name = graph.names.get(id(future))
            self.lines.append('%s%s%s\n' % (indent, name or type(future).__name__,
                                            ' (done)' if future.done() else ''))
            if not name or id(future) in self.path:
                return
            self.path.add(id(future))
            for child in graph.children_of(future):
                self.node(child, level + 1)
            self.path.discard(id(future))
            return
        line = indent + graph.label(future)
        if id(future) in self.path:
            self.lines.append(line + ' (cycle)\n')
            return
        if id(future) in self.shown:
            self.lines.append(line + ' (shown above)\n')
            return
        self.shown.add(id(future))
        state = graph.state(future)
        line += ' awaits ' + state[11:] if state.startswith('waiting on ') else ' (%s)' % state
        self.lines.append(line + '\n')
        self.path.add(id(future))
        for child in graph.tree_children(future):
            self.node(child, level + 1)
        self.path.discard(id(future))


class StuckReport:
    """make_stuck_report's: the pending tasks, each cycle of tasks awaiting tasks (from its
    earliest task), each awaited plain future nothing feeds (with its first waiter), the text."""

    def __init__(self, loop, rec, index):
        graph = AwaitGraph(loop, rec)
        self.pass_ = index
        self.tasks = graph.tasks
        order = {id(t): i for i, t in enumerate(self.tasks)}
        colour, path, cycles = {}, [], []

        def visit(task):
            colour[id(task)] = 1
            path.append(task)
            for nxt in graph.task_edges(task):
                if nxt.done():
                    continue
                c = colour.get(id(nxt), 0)
                if c == 1:
                    start = next(i for i, t in enumerate(path) if t is nxt)
                    cycle = path[start:]
                    first = min(range(len(cycle)), key=lambda i: order.get(id(cycle[i]), len(order)))
                    cycle = cycle[first:] + cycle[:first]
                    if not any(len(c2) == len(cycle) and all(a is b for a, b in zip(c2, cycle)) for c2 in cycles):
                        cycles.append(cycle)
                elif c == 0:
                    visit(nxt)
            path.pop()
            colour[id(task)] = 2

        for task in self.tasks:
            if colour.get(id(task), 0) == 0:
                visit(task)
        self.cycles = cycles
        self.orphans = []
        for task in self.tasks:
            waiter = task._fut_waiter
            if waiter is None or isinstance(waiter, asyncio.Task) or graph.children_of(waiter) \
                    or graph.children_of(task):
                continue
            if not any(f is waiter for f, _ in self.orphans):
                self.orphans.append((waiter, task))
        n = len(self.tasks)
        text = ['Stuck: pass %d would wait for ever with %d task%s pending.\n' % (index, n, '' if n == 1 else 's'),
                'Nothing can wake the loop: no timer, no fd but its own, no executor or thread job, no signal handler,\n',
                'no call_soon_threadsafe from another thread.\n',
                'Await tree:\n']
        text += ['  %s\n' % line for line in graph.tree().splitlines()]
        for cycle in cycles:
            text.append('Cycle: %s awaits %s\n' % (' awaits '.join(graph.label(t) for t in cycle),
                                                   graph.label(cycle[0])))
        for future, task in self.orphans:
            text.append('Nothing can complete the %s that %s awaits.\n' % (graph.label(future), graph.label(task)))
        text.append('Assumption: no thread the program started itself will call the loop (the runtime cannot '
                    'see such threads).\n')
        self.text = ''.join(text)
