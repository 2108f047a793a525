# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""A run of one variant of one version, in two processes.

``python -m nova_resize_checks.runs.worker`` is the *reporter*: the pool
starts one per variant run, confined (see
:mod:`~nova_resize_checks.runs.confinement`), and gives it the job on its
stdin, never in its argv or environment.  The reporter runs no review
code.  It closes every file descriptor it inherited but its own three,
leaves uid 0 of the run's user namespace, makes itself undumpable (no
other process of its uid may read its memory or its descriptors through
``/proc``), then starts the *test process*
(``... worker --test FD``) with a pipe for its results, hands it its part
of the job on its stdin and the variant's name alone on a pipe of its own
(FD), and waits for it under the run's time bound.

The test process imports nova (the test package first, so that nova
decides between eventlet and native threads before anything imports
``nova.virt``) and applies this package's fix-ups; then it loads the
seccomp filter and the audit hook (:mod:`~nova_resize_checks.runs.guard`),
imports the nova modules the version replaces (its overlay), and only
then reads the variant from FD and applies it (nothing,
:data:`mutants.SHAM` or a mutant; the name is dropped once applied and
never reported by it).  Code an overlay runs at import thus meets the
filter and the hook and finds no variant name in the process; reading FD
itself leaves the test process without one, and the run is an error.
Last it imports the version's test module: the exact text the parent
wrote, decoded as strict UTF-8 and compiled as text (no coding
declaration can change it).  It reports its test records on the pipe,
without a variant name, and ends with an ``end`` event.

The reporter believes the kernel before the test process: it forwards the
records to the parent (:mod:`~nova_resize_checks.runs.protocol`) only when
the test process exited with status 0, framed its stream cleanly and ended
it; a death by signal (SIGSYS: seccomp), a kill at the time bound, a flood
or a stream that does not frame cleanly ends the variant with the
reporter's own verdict (``refused``, ``timeout``, ``limit`` or ``error``).
Every refusal the test process reported is forwarded whatever it did
next.
"""

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import selectors
import signal
import subprocess
import sys
import time
import traceback
import unittest

from nova_resize_checks.runs import results

REAL = results.REAL
# The test process's records carry this in place of the variant's name.
RUN_ID = 'run'
_TIMEOUT_MARKERS = ('fixtures._fixtures.timeout.TimeoutException',
                    'TimeoutException')
# After the run's own bound, the reporter waits this long before it kills.
KILL_GRACE = 15.0
MAX_CHILD_BYTES = 16 * 1024 ** 2
_DEVNULL = '/dev/null'
_SIGNAL_OUTCOMES = {signal.SIGXCPU: ('limit', 'CPU time'),
                    signal.SIGXFSZ: ('limit', 'file size')}


def _close_inherited(keep=(0, 1, 2)):
    """Close every file descriptor but ``keep`` (bwrap's userns fd too)."""
    try:
        fds = [int(name) for name in os.listdir('/proc/self/fd')]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _take_stdin():
    """Read the job from stdin, then point stdin at /dev/null."""
    data = sys.stdin.buffer.read()
    null = os.open(_DEVNULL, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    return json.loads(data.decode('utf-8'))


def _results_channel():
    """The original stdout for results; fd 1 becomes stderr."""
    out = os.fdopen(os.dup(1), 'wb')
    os.dup2(2, 1)
    return out


class _TextLoader(importlib.machinery.SourceFileLoader):
    """Load a module from a UTF-8 file as text.

    No coding declaration, byte-order mark or byte decoding can make it
    mean something else than the text the static gate read.
    """

    def source_to_code(self, data, path, *, _optimize=-1):
        return compile(bytes(data).decode('utf-8'), path, 'exec',
                       dont_inherit=True, optimize=_optimize)

    def get_data(self, path):
        if path.endswith(('.pyc', '.pyo')):
            raise OSError('no bytecode is read in a run')
        return super(_TextLoader, self).get_data(path)


class _TextFinder(importlib.abc.MetaPathFinder):
    """Serve the version's module and its nova overlay as text.

    Closed until the run is confined: a module nova's test framework
    imports before the seccomp filter and the audit hook (``nova.test``,
    its fixtures) is not served from the overlay then but noted in
    ``declined``, and the run is refused (round 11: an overlay of
    ``nova/test.py`` ran unconfined and switched the filter off).
    """

    def __init__(self, files):
        self.files = dict(files)
        self.open = False
        self.declined = []

    def find_spec(self, fullname, path=None, target=None):
        filename = self.files.get(fullname)
        if filename is None:
            return None
        if not self.open:
            self.declined.append(fullname)
            return None
        return importlib.util.spec_from_file_location(
            fullname, filename, loader=_TextLoader(fullname, filename))


def _recorder_class():
    import testtools

    class Recorder(testtools.TestResult):
        def __init__(self):
            super(Recorder, self).__init__()
            self.records = []
            self._started = {}

        def startTest(self, test):
            super(Recorder, self).startTest(test)
            self._started[test.id()] = time.monotonic()

        def _record(self, test, status, err=None, details=None, text=''):
            if err is not None:
                text = ''.join(traceback.format_exception(*err))
            elif details:
                # The traceback only: captured logs can be megabytes.
                content = details.get('traceback') or details.get('reason')
                text = content.as_text() if content is not None else (
                    '\n'.join(sorted(details)))
            if status == 'error' and any(m in text
                                         for m in _TIMEOUT_MARKERS):
                status = 'timeout'
            self.records.append({'id': test.id(), 'status': status,
                                 'traceback': text})

        def addSuccess(self, test, details=None):
            super(Recorder, self).addSuccess(test, details=details)
            self._record(test, 'pass')

        def addFailure(self, test, err=None, details=None):
            super(Recorder, self).addFailure(test, err, details=details)
            self._record(test, 'fail', err, details)

        def addError(self, test, err=None, details=None):
            super(Recorder, self).addError(test, err, details=details)
            self._record(test, 'error', err, details)

        def addSkip(self, test, reason=None, details=None):
            super(Recorder, self).addSkip(test, reason, details=details)
            self._record(test, 'skip', text='skipped: %s' % reason)

        def addExpectedFailure(self, test, err=None, details=None):
            super(Recorder, self).addExpectedFailure(test, err,
                                                     details=details)
            self._record(test, 'error', err, details)

        def addUnexpectedSuccess(self, test, details=None):
            super(Recorder, self).addUnexpectedSuccess(test,
                                                       details=details)
            self._record(test, 'error', text='unexpected success')

    return Recorder


@contextlib.contextmanager
def _no_programs():
    """While nova is imported, a program it runs fails as a missing one.

    os-brick runs ``grep`` at import time to probe iscsiadm; a run's view
    has no programs, and a failed probe is what os-brick expects
    (ProcessExecutionError), not FileNotFoundError.
    """
    from oslo_concurrency import processutils

    real = processutils.execute

    def execute(*cmd, **kwargs):
        raise processutils.ProcessExecutionError(
            cmd=' '.join(str(c) for c in cmd), exit_code=127,
            description='no programs run in a test process')

    processutils.execute = execute
    try:
        yield
    finally:
        processutils.execute = real


def prepare(overlay):
    """Import nova and apply this package's fix-ups.

    ``overlay`` maps module names to files served instead of
    site-packages.  Raises EnvironmentProblem.
    """
    finder = _TextFinder(overlay or {})
    sys.meta_path.insert(0, finder)
    from nova_resize_checks import env

    env.check_environment()
    # nova decides how to patch (eventlet or native threads) here, before
    # anything below imports nova.virt.
    import nova.tests.functional  # noqa: F401
    with _no_programs():
        from nova.tests.functional import integrated_helpers  # noqa: F401

    from nova_resize_checks import fixtures as nrc_fixtures
    from nova_resize_checks import mutants  # noqa: F401
    from nova_resize_checks import virt

    nrc_fixtures.install_process_wide()
    virt.register()
    return finder


def run_module(module, timeout, recorder_class):
    """Run the test module once; returns its records."""
    import fixtures

    try:
        importlib.invalidate_caches()
        suite = unittest.TestLoader().loadTestsFromName(module)
    except BaseException as exc:
        return [{'id': module, 'status': 'error',
                 'traceback': ''.join(traceback.format_exception(
                     type(exc), exc, exc.__traceback__))}]
    recorder = recorder_class()
    with contextlib.ExitStack() as stack:
        if timeout:
            stack.enter_context(fixtures.Timeout(int(timeout), gentle=True))
        suite.run(recorder)
    if not recorder.records:
        # A module with no tests must not pass as "nothing failed".
        return [{'id': module, 'status': 'error',
                 'traceback': 'no tests were found in %s' % module}]
    return recorder.records


def _import_overlay(files, module):
    """Import the nova modules the version replaces, not yet the test.

    Done after the seccomp filter and the audit hook are loaded (when the
    run is confined) and before the variant is known, so that code an
    overlay runs at import meets both and finds no variant name in the
    process (round 10).  A module nova's own import already took in is
    imported by then, with no variant known either.
    """
    for name in sorted(files):
        if name != module and name not in sys.modules:
            importlib.import_module(name)


def _refuse(writer, out, text):
    """Report a refused operation and end the run: it proves nothing."""
    writer.attempt(text)
    writer.end()
    out.flush()
    os._exit(0)


def _read_variant(fd):
    """The variant's name, sent by the reporter on its own pipe.

    None when the pipe holds no name: something read it first.
    """
    chunks = []
    while True:
        block = os.read(fd, 4096)
        if not block:
            break
        chunks.append(block)
    os.close(fd)
    try:
        name = json.loads(b''.join(chunks).decode('utf-8'))
    except ValueError:
        return None
    return name if isinstance(name, str) and name else None


def _machinery():
    """The objects that apply a variant, as (owner, name, object id).

    Taken before the version's nova modules are imported and again after:
    code they run at import that replaced any of them (to learn the
    variant from its application, round 11) is a refused operation.
    """
    import fixtures

    from nova_resize_checks import mutants

    owners = (('nova_resize_checks.mutants', vars(mutants)),
              ('fixtures.MonkeyPatch', vars(fixtures.MonkeyPatch)),
              ('sys.modules', {name: sys.modules.get(name) for name in (
                  'nova_resize_checks', 'nova_resize_checks.mutants',
                  'fixtures', 'fixtures._fixtures.monkeypatch')}))
    return frozenset((owner, key, id(value)) for owner, table in owners
                     for key, value in table.items())


def _apply_variant(name, apply):
    """Apply the variant (nothing for real nova) with ``apply``.

    ``apply`` is :func:`mutants.apply` as taken before review code ran.
    """
    if name != REAL:
        apply(name)


def test_main(variant_fd):
    """The test process: runs review code, reports to the reporter only.

    Its job comes on stdin, the variant's name alone on ``variant_fd``,
    read once nova and the version's nova modules are imported.
    """
    _close_inherited(keep=(0, 1, 2, variant_fd))
    out = _results_channel()
    job = _take_stdin()
    from nova_resize_checks.runs import guard
    from nova_resize_checks.runs import protocol

    writer = protocol.Writer(out)
    from nova_resize_checks import env

    files = dict(job.get('overlay') or ())
    if job.get('file'):
        files[job['module']] = job['file']
    try:
        finder = prepare(files)
    except env.EnvironmentProblem as exc:
        writer.environment(error=str(exc))
        writer.end()
        out.flush()
        os._exit(0)
    recorder_class = _recorder_class()
    writer.environment(versions=env.versions())
    module, timeout = job['module'], job['timeout']
    if not job.get('unconfined'):
        guard.load_filter()
        guard.install_reporter(writer.attempt)
    job = None
    finder.open = True
    if finder.declined:
        _refuse(writer, out, 'the version changes %s, which nova\'s test '
                'framework imports before the run is confined; such a '
                'change is not run' % ', '.join(sorted(set(
                    finder.declined))))
    from nova_resize_checks import mutants

    apply, before = mutants.apply, _machinery()
    try:
        _import_overlay(files, module)
        problem = None
    except BaseException as exc:
        problem = ''.join(traceback.format_exception(
            type(exc), exc, exc.__traceback__))
    if problem is None and _machinery() != before:
        _refuse(writer, out, 'the version\'s nova modules replaced what '
                'applies the variant (this package\'s mutants or '
                'fixtures.MonkeyPatch) when imported')
    variant = _read_variant(variant_fd) if problem is None else None
    if variant is None:
        # The version's nova does not import, or its code read the
        # variant before us: either way the run proves nothing.
        writer.test(RUN_ID, {'id': module, 'status': 'error', 'traceback': (
            problem or 'the variant was not received: code of the version '
                       'read it first')})
        writer.end()
        out.flush()
        os._exit(0)
    _apply_variant(variant, apply)
    variant = apply = None
    writer.started()
    for record in run_module(module, timeout, recorder_class):
        writer.test(RUN_ID, record)
    writer.end()
    out.flush()
    # Do not run nova's or the version's exit handlers: the results are
    # out, and nothing after them may change them.
    os._exit(0)


def _collect(proc, bound):
    """(bytes, timed_out, flooded) of the test process's results."""
    chunks, size = [], 0
    timed_out = flooded = False
    start = time.monotonic()
    fd = proc.stdout.fileno()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while True:
            left = bound - (time.monotonic() - start)
            if left <= 0:
                timed_out = True
                break
            if not sel.select(timeout=min(left, 1.0)):
                continue
            block = os.read(fd, 65536)
            if not block:
                break
            size += len(block)
            if size > MAX_CHILD_BYTES:
                flooded = True
                break
            chunks.append(block)
    return b''.join(chunks), timed_out, flooded


def _kernel_word(returncode, timed_out, flooded, bound):
    """(outcome, evidence) when the process's end overrules its stream."""
    from nova_resize_checks.runs import guard

    if timed_out:
        return 'timeout', ('killed by the reporter after %.0fs (the run\'s '
                           'bound)' % bound)
    if flooded:
        return 'limit', ('the run wrote more than %d MiB of results'
                         % (MAX_CHILD_BYTES // 1024 ** 2))
    if returncode is None:
        return 'error', 'the test process did not end'
    if returncode < 0:
        number = -returncode
        if number == signal.SIGSYS:
            return 'refused', guard.SIGSYS_EVIDENCE
        if number in _SIGNAL_OUTCOMES:
            outcome, what = _SIGNAL_OUTCOMES[number]
            return outcome, ('the run was stopped by a resource limit (%s)'
                             % what)
        if number == signal.SIGKILL:
            return 'limit', ('the test process was killed (SIGKILL): its '
                             'memory or process limit, most likely')
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = 'signal %d' % number
        return 'error', 'the test process was killed by %s' % name
    if returncode != 0:
        return 'error', ('the test process exited with status %d instead '
                         'of ending its report' % returncode)
    return None


def _start_test_process(child_job, variant):
    """The test process, given its job on stdin, its variant on a pipe."""
    variant_read, variant_write = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, '-m', 'nova_resize_checks.runs.worker', '--test',
         str(variant_read)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True,
        pass_fds=(variant_read,), start_new_session=False)
    os.close(variant_read)
    try:
        # A name fits in the pipe's buffer: this does not block.
        os.write(variant_write, json.dumps(variant).encode('utf-8'))
    except OSError:
        pass
    os.close(variant_write)
    try:
        proc.stdin.write(json.dumps(child_job).encode('utf-8'))
        proc.stdin.close()
    except OSError:
        pass
    return proc


def reporter_main():
    """The reporter: runs no review code; see the module docstring."""
    _close_inherited()
    out = _results_channel()
    job = _take_stdin()
    from nova_resize_checks.runs import guard
    from nova_resize_checks.runs import protocol

    if not job.get('unconfined'):
        guard.drop_identity()
        guard.undumpable()
    writer = protocol.Writer(out)
    variant = job['variant']
    bound = float(job['timeout'] or 0) + float(job.get('startup', 60))
    child_job = {key: job.get(key) for key in (
        'module', 'file', 'overlay', 'timeout', 'unconfined')}
    start = time.monotonic()
    proc = _start_test_process(child_job, variant)
    writer.variant_started(variant)
    data, timed_out, flooded = _collect(proc, bound + KILL_GRACE)
    if timed_out or flooded:
        proc.kill()
    try:
        returncode = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        returncode = None
    seconds = time.monotonic() - start
    stream = protocol.read_child(data)
    if stream.versions is not None:
        writer.environment(versions=stream.versions)
    elif stream.environment_error is not None:
        writer.environment(error=stream.environment_error)
    for attempt in stream.attempts:
        writer.attempt(attempt)
    overruled = _kernel_word(returncode, timed_out, flooded,
                             bound + KILL_GRACE)
    if overruled is None and stream.problem:
        overruled = ('error', stream.problem)
    if overruled is None and stream.environment_error is None:
        for record in stream.records:
            writer.test(variant, record)
        writer.variant_done(variant, seconds)
    elif overruled is not None:
        writer.variant_ended(variant, overruled[0], overruled[1], seconds)
    out.flush()
    os._exit(0)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == '--test' and argv[1].isdigit():
        return test_main(int(argv[1]))
    if argv:
        sys.stderr.write('usage: python -m nova_resize_checks.runs.worker '
                         '[--test FD] (the job is read from stdin; the '
                         'test process reads its variant from FD)\n')
        return 2
    return reporter_main()


if __name__ == '__main__':
    sys.exit(main())
