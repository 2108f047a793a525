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


"""The worker protocol: subunit v2, test process -> reporter -> parent.

The test process (which runs review code) writes to the reporter only:
``environment``, then ``started``, one ``run/TEST_ID`` event per test,
``confinement:attempt`` events as they happen and ``end`` last.  The
reporter reads it with :func:`read_child`, which requires a clean frame:
nothing but subunit packets, only those ids, each test once, ``end`` last
and once.

The reporter (which runs no review code) writes, on a pipe only the parent
reads:

* ``environment``: ``success`` with a ``versions`` file (JSON) once the
  worker is ready, or ``fail`` with an ``error`` file when the
  environment cannot run the scenario;
* ``variant:NAME``: ``inprogress`` when the variant starts and
  ``success`` with a ``seconds`` file when it is done;
* ``NAME/TEST_ID``: one event per test with its status (``success``,
  ``fail``, ``skip``; errors and timeouts are ``fail`` tagged ``error``
  or ``timeout``) and its traceback as the ``traceback`` file;
* ``confinement:attempt``: ``fail`` with an ``attempt`` file for each
  thing the test process's audit hook refused;
* ``variant:NAME`` ``fail`` with an ``ended`` file (JSON: outcome and
  evidence) instead of ``success`` when the kernel's word (a signal, the
  time bound, a flood) or an unclean stream overrules the records.

The parent reads the stream after the process ended (the bytes are
capped) and trusts it only for the version that process ran.
"""

import io
import json

import subunit
import testtools

ENVIRONMENT = 'environment'
ATTEMPT = 'confinement:attempt'
STARTED = 'started'
END = 'end'
RUN_PREFIX = 'run/'
_VARIANT = 'variant:'
_TEXT = 'text/plain; charset=utf8'
_TO_SUBUNIT = {'pass': ('success', None), 'fail': ('fail', None),
               'error': ('fail', 'error'), 'timeout': ('fail', 'timeout'),
               'skip': ('skip', None)}


class Writer(object):
    """Encode events on a binary stream (the worker's side)."""

    def __init__(self, stream):
        self.stream = stream
        self._out = subunit.StreamResultToBytes(stream)

    def _event(self, test_id, status, name=None, data=b'', tags=None):
        if name is None:
            self._out.status(test_id=test_id, test_status=status,
                             test_tags=tags)
        else:
            self._out.status(test_id=test_id, test_status=status,
                             test_tags=tags, file_name=name,
                             file_bytes=data, mime_type=_TEXT, eof=True)
        self.stream.flush()

    def environment(self, versions=None, error=None):
        if error is not None:
            self._event(ENVIRONMENT, 'fail', 'error', error.encode())
        else:
            self._event(ENVIRONMENT, 'success', 'versions',
                        json.dumps(versions, sort_keys=True).encode())

    def variant_started(self, variant):
        self._event(_VARIANT + variant, 'inprogress')

    def variant_done(self, variant, seconds):
        self._event(_VARIANT + variant, 'success', 'seconds',
                    repr(float(seconds)).encode())

    def test(self, variant, record):
        status, tag = _TO_SUBUNIT.get(record['status'], ('fail', 'error'))
        self._event('%s/%s' % (variant, record['id']), status, 'traceback',
                    (record.get('traceback') or '').encode('utf-8',
                                                           'replace'),
                    tags={tag} if tag else None)

    def variant_ended(self, variant, outcome, evidence, seconds):
        self._event(_VARIANT + variant, 'fail', 'ended', json.dumps(
            {'outcome': outcome, 'evidence': evidence,
             'seconds': float(seconds)}).encode())

    def started(self):
        self._event(STARTED, 'inprogress')

    def end(self):
        self._event(END, 'success')

    def attempt(self, text):
        self._event(ATTEMPT, 'fail', 'attempt',
                    text.encode('utf-8', 'replace'))


class Stream(object):
    """What a worker reported, decoded (the parent's side)."""

    def __init__(self):
        self.versions = None
        self.environment_error = None
        self.started = []          # variants, in the order they started
        self.done = {}             # variant -> seconds
        self.tests = {}            # variant -> [record]
        self.attempts = []
        self.unreadable = None
        self.ended = {}            # variant -> (outcome, evidence, seconds)


def _environment(found, test_status, file_name, data):
    """Note an environment event in ``found``; False: unreadable versions."""
    if test_status == 'fail':
        found.environment_error = data or 'environment error'
    elif file_name == 'versions':
        try:
            found.versions = json.loads(data)
        except ValueError:
            return False
    return True


def _ended(data):
    """(outcome, evidence, seconds) from a variant's ``ended`` file."""
    try:
        ended = json.loads(data)
        return (str(ended['outcome']), str(ended['evidence']),
                float(ended['seconds']))
    except (ValueError, KeyError, TypeError):
        return ('error', 'unreadable end', 0.0)


def _test_status(test_status, test_tags):
    """A test record's status from its subunit status and tags."""
    tags = set(test_tags or ())
    if test_status == 'success':
        return 'pass'
    if test_status == 'skip':
        return 'skip'
    if 'timeout' in tags:
        return 'timeout'
    if 'error' in tags or test_status != 'fail':
        return 'error'
    return 'fail'


class _Collector(testtools.StreamResult):
    def __init__(self, found):
        super(_Collector, self).__init__()
        self.found = found

    def status(self, test_id=None, test_status=None, test_tags=None,
               file_name=None, file_bytes=None, **kwargs):
        if test_id is None:
            return
        found = self.found
        data = bytes(file_bytes or b'').decode('utf-8', 'replace')
        if test_id == ENVIRONMENT:
            _environment(found, test_status, file_name, data)
        elif test_id == ATTEMPT:
            if data:
                found.attempts.append(data[:1000])
        elif test_id.startswith(_VARIANT):
            self._variant(test_id[len(_VARIANT):], test_status, file_name,
                          data)
        elif '/' in test_id and test_status is not None:
            variant, _, name = test_id.partition('/')
            found.tests.setdefault(variant, []).append(
                {'id': name, 'status': _test_status(test_status, test_tags),
                 'traceback': data})

    def _variant(self, variant, test_status, file_name, data):
        found = self.found
        if test_status == 'inprogress':
            found.started.append(variant)
        elif test_status == 'success':
            try:
                found.done[variant] = float(data)
            except ValueError:
                found.done[variant] = 0.0
        elif test_status == 'fail' and file_name == 'ended':
            found.ended[variant] = _ended(data)


def read(data):
    """Decode a worker's bytes; never raises."""
    found = Stream()
    try:
        subunit.ByteStreamToStreamResult(
            io.BytesIO(data), non_subunit_name='stdout').run(
                _Collector(found))
    except Exception as exc:   # hostile or cut-off bytes
        found.unreadable = 'the run\'s result stream could not be read: %s' % (
            exc,)
    return found


class ChildStream(object):
    """What a test process reported, and whether it framed cleanly."""

    def __init__(self):
        self.versions = None
        self.environment_error = None
        self.records = []
        self.attempts = []
        self.started = False
        self.ended = False
        self.problem = None

    def fault(self, text):
        if self.problem is None:
            self.problem = ('the run\'s result stream did not frame '
                            'cleanly: %s' % text)


class _ChildCollector(testtools.StreamResult):
    """Accepts only the events a test process may send, in order."""

    def __init__(self, found):
        super(_ChildCollector, self).__init__()
        self.found = found
        self.seen = set()

    def status(self, test_id=None, test_status=None, test_tags=None,
               file_name=None, file_bytes=None, eof=False, **kwargs):
        found = self.found
        data = bytes(file_bytes or b'').decode('utf-8', 'replace')
        if test_id == ATTEMPT:
            # Refusals count wherever they come, even after the end.
            if data:
                found.attempts.append(data[:1000])
            return
        if found.ended:
            found.fault('an event after the end')
        elif test_id is None:
            found.fault('bytes that are not a subunit packet')
        elif test_id == ENVIRONMENT:
            self._environment(test_status, file_name, data)
        elif test_id == STARTED and test_status == 'inprogress':
            if found.started or found.versions is None:
                found.fault('a start out of order')
            found.started = True
        elif test_id == END and test_status == 'success':
            found.ended = True
        elif test_id.startswith(RUN_PREFIX) and test_status is not None:
            self._test(test_id[len(RUN_PREFIX):], test_status, test_tags,
                       data)
        else:
            found.fault('an unexpected event %r' % str(test_id)[:100])

    def _environment(self, test_status, file_name, data):
        found = self.found
        if found.versions is not None or found.started or (
                found.environment_error is not None):
            found.fault('a second environment event')
        elif not _environment(found, test_status, file_name, data):
            found.fault('unreadable versions')

    def _test(self, name, test_status, test_tags, data):
        found = self.found
        if not found.started:
            found.fault('a test before the start')
        elif name in self.seen:
            found.fault('test %s reported twice' % name[:200])
        self.seen.add(name)
        found.records.append({'id': name,
                              'status': _test_status(test_status, test_tags),
                              'traceback': data})


def read_child(data):
    """Decode a test process's bytes strictly; never raises."""
    found = ChildStream()
    try:
        subunit.ByteStreamToStreamResult(
            io.BytesIO(data), non_subunit_name='stdout').run(
                _ChildCollector(found))
    except Exception as exc:   # hostile or cut-off bytes
        found.fault('unreadable (%s)' % exc)
    if not found.ended:
        found.fault('it has no end')
    elif found.environment_error is None and not found.started:
        found.fault('no start')
    return found
