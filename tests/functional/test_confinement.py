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
import socket
import stat
import tempfile

import testtools

from nova_resize_checks.runs import pool
from nova_resize_checks.runs import results

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
        # Outside /tmp (the runs get their own) and open to everyone, so
        # that only the confinement stands between a run and the canaries.
        cls.dir = tempfile.mkdtemp(prefix='.nrc-canary-',
                                   dir=os.path.dirname(HERE))
        os.chmod(cls.dir, 0o777)
        cls.victim = os.path.join(cls.dir, 'victim')
        with open(cls.victim, 'w') as f:
            f.write('keep me')
        os.chmod(cls.victim, 0o666)
        cls.created = os.path.join(cls.dir, 'created')
        cls.tcp = socket.socket()
        cls.tcp.bind(('127.0.0.1', 0))
        cls.tcp.listen(5)
        cls.tcp.setblocking(False)
        cls.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        cls.udp.bind(('127.0.0.1', 0))
        cls.udp.setblocking(False)
        cls.unix_path = os.path.join(cls.dir, 'sock')
        cls.unix = socket.socket(socket.AF_UNIX)
        cls.unix.bind(cls.unix_path)
        os.chmod(cls.unix_path, 0o777)
        cls.unix.listen(5)
        cls.unix.setblocking(False)
        os.environ[SECRET] = 'the-parent-secret-1234'
        tcp_port = cls.tcp.getsockname()[1]
        udp_port = cls.udp.getsockname()[1]
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
            'dir_fd': "import os\nfd = os.open(%r, os.O_RDONLY)\n"
                      "os.remove('victim', dir_fd=fd)" % cls.dir,
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
        for sock in (cls.tcp, cls.udp, cls.unix):
            sock.close()
        for name in os.listdir(cls.dir):
            os.unlink(os.path.join(cls.dir, name))
        os.rmdir(cls.dir)
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

    def test_files_outside_the_run_are_untouched(self):
        self.assertEqual(['sock', 'victim'], sorted(os.listdir(self.dir)))
        with open(self.victim) as f:
            self.assertEqual('keep me', f.read())
        self.assertTrue(stat.S_ISSOCK(os.stat(self.unix_path).st_mode))

    def test_listeners_saw_nothing(self):
        for sock in (self.tcp, self.unix):
            self.assertRaises(BlockingIOError, sock.accept)
        self.assertRaises(BlockingIOError, self.udp.recvfrom, 16)

    def test_the_secret_is_nowhere_in_the_results(self):
        for name, result in self.results.items():
            self.assertNotIn('the-parent-secret', repr(result), name)
