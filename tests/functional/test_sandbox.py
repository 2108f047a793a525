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


"""The second layer alone: hostile test code run with no static gate.

Each version below would be refused by the static gate; here it goes
straight to the runner, as if the gate had missed it.  The run must end in
an error whose evidence says the sandbox refused it, and the canaries must
show that nothing happened: no file created or deleted outside the run
directory, no connection reaching a local listening socket.
"""

import os
import socket
import tempfile

import testtools

from nova_resize_checks import runner

TEMPLATE = '''
import testtools


class Hostile(testtools.TestCase):
    def test_it(self):
%s
'''


def _body(code):
    return TEMPLATE % '\n'.join('        ' + line
                                for line in code.strip().splitlines())


class TestSandboxLayer(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super(TestSandboxLayer, cls).setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix='nrc-canary-')
        root = cls.tmp.name
        cls.created = os.path.join(root, 'created')
        cls.victim = os.path.join(root, 'victim')
        with open(cls.victim, 'w') as f:
            f.write('keep me')
        cls.listener = socket.socket()
        cls.listener.bind(('127.0.0.1', 0))
        cls.listener.listen(5)
        cls.listener.setblocking(False)
        port = cls.listener.getsockname()[1]
        cls.cases = {
            'subprocess': "import subprocess\n"
                          "subprocess.run(['touch', %r])" % cls.created,
            'os.system': "import os\nos.system('touch %s')" % cls.created,
            'fork': "import os\npid = os.fork()\n"
                    "if pid == 0:\n    os._exit(0)",
            'socket': "import socket\ns = socket.socket()\n"
                      "s.connect(('127.0.0.1', %d))" % port,
            'write': "open(%r, 'w').write('x')" % cls.created,
            'remove': "import os\nos.remove(%r)" % cls.victim,
            'ctypes': "import ctypes\nctypes.CDLL('libc.so.6')",
            'getattr-system': "import os\n"
                              "getattr(os, 'sys' + 'tem')('touch %s')"
                              % cls.created,
            'exec-built': 'exec("import os; os.sys" + "tem(%r)")'
                          % ('touch ' + cls.created),
            '__import__': "__import__('o' + 's').system('touch %s')"
                          % cls.created,
            'popen-builtins': "import builtins\n"
                              "getattr(builtins, '__imp' + 'ort__')("
                              "'subprocess').Popen(['touch', %r])"
                              % cls.created,
        }
        versions = {name: runner.Version(_body(code), label=name)
                    for name, code in cls.cases.items()}
        with runner.Runner([runner.REAL], jobs=2, timeout=120,
                           use_cache=False) as run:
            results = run.run(list(versions.values()))
        cls.results = {name: results[v.key()][runner.REAL]
                       for name, v in versions.items()}

    @classmethod
    def tearDownClass(cls):
        cls.listener.close()
        cls.tmp.cleanup()
        super(TestSandboxLayer, cls).tearDownClass()

    def test_every_hostile_run_is_refused_by_the_sandbox(self):
        for name, result in self.results.items():
            self.assertEqual('error', result.outcome, name)
            self.assertIn('sandbox:', result.evidence,
                          '%s: %s' % (name, result.evidence))

    def test_canaries(self):
        self.assertFalse(os.path.exists(self.created))
        with open(self.victim) as f:
            self.assertEqual('keep me', f.read())
        try:
            conn, _ = self.listener.accept()
        except BlockingIOError:
            conn = None
        self.assertIsNone(conn, 'a run reached the listening socket')

    def test_an_endless_loop_is_a_timeout(self):
        version = runner.Version(_body('while True:\n    pass'))
        with runner.Runner([runner.REAL], jobs=1, timeout=5,
                           use_cache=False) as run:
            result = run.run([version])[version.key()][runner.REAL]
        self.assertEqual('timeout', result.outcome, result.evidence)

    def test_a_harmless_run_passes(self):
        version = runner.Version(_body(
            "import tempfile\n"
            "with tempfile.NamedTemporaryFile('w') as f:\n"
            "    f.write('inside the run directory is fine')\n"
            "self.assertEqual(2, 1 + 1)"))
        with runner.Runner([runner.REAL], jobs=1, timeout=120,
                           use_cache=False) as run:
            result = run.run([version])[version.key()][runner.REAL]
        self.assertEqual('pass', result.outcome, result.evidence)


class TestHostileReviewsBothLayers(testtools.TestCase):
    """Hostile reviews through the whole meta-check.

    With the static gate they are ``unsafe`` and never run; with the gate
    switched off (test-only) they run, the sandbox refuses what they try
    and they come out ``breaks`` with the refusal as evidence.  Either way
    the canaries stay untouched.
    """

    @classmethod
    def setUpClass(cls):
        super(TestHostileReviewsBothLayers, cls).setUpClass()
        from nova_resize_checks import canonical
        from nova_resize_checks.review import check

        cls.tmp = tempfile.TemporaryDirectory(prefix='nrc-hostile-')
        root = cls.tmp.name
        cls.created = os.path.join(root, 'created')
        cls.victim = os.path.join(root, 'victim')
        with open(cls.victim, 'w') as f:
            f.write('keep me')
        cls.listener = socket.socket()
        cls.listener.bind(('127.0.0.1', 0))
        cls.listener.listen(5)
        cls.listener.setblocking(False)
        port = cls.listener.getsockname()[1]
        hostile = {
            'subprocess': "import subprocess; subprocess.run(['touch', %r])"
                          % cls.created,
            'os-system': "import os; os.system('touch %s')" % cls.created,
            'socket': "import socket; socket.create_connection("
                      "('127.0.0.1', %d))" % port,
            'write': "open(%r, 'w').write('x')" % cls.created,
            'remove': "import os; os.remove(%r)" % cls.victim,
            'getattr': "import os; getattr(os, 'sys' + 'tem')('touch %s')"
                       % cls.created,
            'exec': 'exec("import os; os.sys" + "tem(%r)")'
                    % ('touch ' + cls.created),
        }
        source = canonical.read_test()
        anchor = "        self._start_compute('host1')\n"
        reviews = os.path.join(root, 'reviews')
        os.makedirs(reviews)
        for name, line in hostile.items():
            fixed = source.replace(anchor, '        %s\n%s' % (line, anchor))
            with open(os.path.join(reviews, name + '.md'), 'w') as f:
                f.write('I found one issue. The fixed code should look '
                        'like this:\n\n```python\n%s```\n' % fixed)
        cls.names = sorted(hostile)
        gated, _ = check.check([reviews], jobs=2, use_cache=False)
        cls.gated = {os.path.basename(r.path)[:-3]: r for r in gated}
        ungated, _ = check.check([reviews], jobs=2, use_cache=False,
                                 static_gate=False)
        cls.ungated = {os.path.basename(r.path)[:-3]: r for r in ungated}

    @classmethod
    def tearDownClass(cls):
        cls.listener.close()
        cls.tmp.cleanup()
        super(TestHostileReviewsBothLayers, cls).tearDownClass()

    def test_static_gate_marks_them_unsafe(self):
        for name in self.names:
            self.assertEqual('unsafe', self.gated[name].verdict, name)

    def test_without_the_gate_the_sandbox_stops_them(self):
        for name in self.names:
            review = self.ungated[name]
            self.assertEqual('breaks', review.verdict, name)
            self.assertIn('sandbox:', review.reason,
                          '%s: %s' % (name, review.reason))

    def test_canaries(self):
        self.assertFalse(os.path.exists(self.created))
        with open(self.victim) as f:
            self.assertEqual('keep me', f.read())
        try:
            conn, _ = self.listener.accept()
        except BlockingIOError:
            conn = None
        self.assertIsNone(conn, 'a run reached the listening socket')


class TestRunBounds(testtools.TestCase):
    """Runs that defeat the in-child alarm are still bounded."""

    def _run(self, code, timeout=4):
        version = runner.Version(_body(code))
        with runner.Runner([runner.REAL], jobs=1, timeout=timeout,
                           use_cache=False) as run:
            run.startup_allowance = 30
            return run.run([version])[version.key()][runner.REAL]

    def test_busy_loop_with_the_alarm_blocked_hits_the_cpu_limit(self):
        result = self._run('import signal\n'
                           'signal.pthread_sigmask(signal.SIG_BLOCK, '
                           '[signal.SIGALRM])\n'
                           'while True:\n    pass')
        self.assertEqual('limit', result.outcome, result.evidence)

    def test_sleeping_hang_is_killed_with_its_process_group(self):
        result = self._run('import signal\nimport select\n'
                           'signal.pthread_sigmask(signal.SIG_BLOCK, '
                           '[signal.SIGALRM])\n'
                           'select.select([], [], [], 1000)')
        self.assertEqual('timeout', result.outcome, result.evidence)
        self.assertIn('killed after no progress', result.evidence)
