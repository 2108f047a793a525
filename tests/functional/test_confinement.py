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


"""The confinement alone: hostile versions run straight through the pool.

No static gate is involved: each version below goes to a confined worker
as if the gate had missed it, and most swallow their own errors, so only
the confinement can tell.  Each run must end ``refused`` with evidence,
and the canaries must show that nothing got out: files in a directory
anyone may write (outside the run), TCP and UDP listeners on loopback, a
unix socket anyone may connect to, a secret in the parent's environment.
A harmless version in the same pool must pass.
"""

import os
import sys
import tempfile

import testtools

from nova_resize_checks.runs import pool
from nova_resize_checks.runs import results
from tests.functional import canaries

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = 'NRC_CANARY_SECRET'
TEMPLATE = '''
import testtools


class Hostile(testtools.TestCase):
    def test_it(self):
        try:
%s
        except BaseException as exc:
            self.reported = repr(exc)
'''


def _body(code):
    return TEMPLATE % '\n'.join('            ' + line
                                for line in code.strip().splitlines())


class TestConfinedRuns(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super(TestConfinedRuns, cls).setUpClass()
        cls.canaries = canaries.Canaries(os.path.dirname(HERE))
        cls.dir = cls.canaries.dir
        cls.victim = cls.canaries.victim
        cls.unix_path = cls.canaries.unix_path
        cls.created = os.path.join(cls.dir, 'created')
        os.environ[SECRET] = 'the-parent-secret-1234'
        tcp_port = cls.canaries.tcp_port
        udp_port = cls.canaries.udp_port
        cls.cases = {
            'subprocess': "import subprocess\n"
                          "subprocess.run(['touch', %r])" % cls.created,
            'fork_exec': "import _posixsubprocess, os\n"
                         "r, w = os.pipe()\n"
                         "_posixsubprocess.fork_exec([b'/bin/touch', %r], "
                         "[b'/bin/touch'], True, (w,), None, None, -1, -1, "
                         "-1, -1, -1, -1, r, w, False, False, -1, None, "
                         "None, None, -1, None, False)"
                         % cls.created.encode(),
            'tcp': "import socket\n"
                   "socket.create_connection(('127.0.0.1', %d)).send(b'x')"
                   % tcp_port,
            'udp': "import socket\n"
                   "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                   "s.sendto(b'x', ('127.0.0.1', %d))" % udp_port,
            'unix': "import socket\ns = socket.socket(socket.AF_UNIX)\n"
                    "s.connect(%r)" % cls.unix_path,
            'write': "open(%r, 'w').write('x')" % cls.created,
            # The canary directory is not in a run's view at all: a
            # directory that is (read-only) stands in for it.
            'dir_fd': "import os\nfd = os.open(%r, os.O_RDONLY)\n"
                      "os.remove('pyvenv.cfg', dir_fd=fd)" % sys.prefix,
            'rename-dest': "import os\nopen('/tmp/x', 'w').close()\n"
                           "os.replace('/tmp/x', %r)" % cls.victim,
            'kill-parent': "import os, signal\n"
                           "os.kill(os.getppid(), signal.SIGKILL)",
            'stop-all': "import os, signal\nos.kill(-1, signal.SIGSTOP)",
            'rlimit': "import resource\n"
                      "resource.setrlimit(resource.RLIMIT_AS, "
                      "(resource.RLIM_INFINITY, resource.RLIM_INFINITY))",
            'environ': "import os\n"
                       "text = open('/proc/%d/environ' % os.getppid()).read()"
                       "\nassert False, text",
            'ctypes-syscall': "import ctypes\n"
                              "ctypes.CDLL(None).syscall(57)",
        }
        versions = {name: results.Version(_body(code), label=name)
                    for name, code in cls.cases.items()}
        cls.harmless = results.Version(_body(
            "import tempfile\n"
            "with tempfile.NamedTemporaryFile('w') as f:\n"
            "    f.write('inside the run directory is fine')\n"
            "assert 2 == 1 + 1"), label='harmless')
        cache_dir = tempfile.mkdtemp(prefix='nrc-cache-')
        run = pool.Pool([results.REAL], pool.open_confinement(cache_dir),
                        jobs=2, timeout=60, cache_dir=cache_dir)
        with run:
            found = run.run(list(versions.values()) + [cls.harmless])
        cls.results = {name: found[v.key()][results.REAL]
                       for name, v in versions.items()}
        cls.harmless_result = found[cls.harmless.key()][results.REAL]

    @classmethod
    def tearDownClass(cls):
        cls.canaries.close()
        os.environ.pop(SECRET, None)
        super(TestConfinedRuns, cls).tearDownClass()

    def test_every_hostile_run_is_refused_with_evidence(self):
        for name, result in sorted(self.results.items()):
            self.assertEqual('refused', result.outcome,
                             '%s: %s' % (name, result.evidence))
            self.assertTrue(result.evidence, name)

    def test_the_harmless_run_passes(self):
        self.assertEqual('pass', self.harmless_result.outcome,
                         self.harmless_result.evidence)

    def test_canaries_untouched(self):
        self.assertEqual([], self.canaries.untouched())

    def test_the_secret_is_nowhere_in_the_results(self):
        for name, result in self.results.items():
            self.assertNotIn('the-parent-secret', repr(result), name)
