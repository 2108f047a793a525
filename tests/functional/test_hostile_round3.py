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


"""The third and fourth rounds of attacks through the command line.

Every review of tests/samples/hostile3 and tests/samples/hostile4 runs
through ``nova-resize-checks review`` in one invocation with the static
gate and one without it (the test-only switch), next to a benign review
that must stay ``weakens`` (also against a hostile version built to share
its old identity).  A third invocation gives a review more runs than its
budget allows.  (One module for both rounds: they share the canonical
run and the matrix, which cost more than the attacks.)

Canaries, outside every old hidden root (next to the checkout, not in
it): a world-writable directory with a unix datagram socket anyone may
send to and a world-readable planted secret; the secret must appear in no
report, no stderr and no cache entry, and the socket must get nothing.
A third canary is in the tool's own environment (round 4: pid 1 inside a
run used to show it in /proc/1/environ): it too must appear nowhere.
The nova mode (eventlet or native threads) is the one this process runs
in (``OS_NOVA_DISABLE_EVENTLET_PATCHING``); run the module in both.
"""

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import jsonschema
import testtools

from nova_resize_checks import schemas

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(os.path.dirname(HERE), 'samples')
HOSTILE = os.path.join(SAMPLES, 'hostile3')
HOSTILE4 = os.path.join(SAMPLES, 'hostile4')
ENV_SECRET = 'nrc-environment-secret-41c9e2'
ENV_SECRET_NAME = 'NRC_ROUND4_TOKEN'
VICTIM = os.path.join(SAMPLES, 'reviews', 'loose_dest_check.md')
BUDGETED = os.path.join(HOSTILE, 'budget', 'swapped_arguments.md')
# Needs one run (it fails against real nova, so no mutant runs): it fits a
# budget of two runs whatever the cache holds.
ONE_RUN = os.path.join(SAMPLES, 'reviews', 'line_change_breaks.txt')
SECRET_TEXT = 'nrc-planted-secret-7d20a1'
GATE_OFF = 'NOVA_RESIZE_CHECKS_TESTING_NO_STATIC_GATE'


class Canaries(object):
    """A planted secret and a datagram socket outside the old roots."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='.nrc-round3-',
                                    dir=os.path.dirname(CHECKOUT))
        os.chmod(self.dir, 0o777)
        self.secret = os.path.join(self.dir, 'credentials.txt')
        with open(self.secret, 'w') as f:
            f.write(SECRET_TEXT + '\n')
        os.chmod(self.secret, 0o644)
        self.dgram_path = os.path.join(self.dir, 'dgram.sock')
        self.dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.dgram.bind(self.dgram_path)
        os.chmod(self.dgram_path, 0o777)
        self.dgram.setblocking(False)

    def received(self):
        got = []
        while True:
            try:
                got.append(self.dgram.recv(4096))
            except BlockingIOError:
                return got

    def close(self):
        self.dgram.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class TestHostileRound3(testtools.TestCase):

    @classmethod
    def _cli(cls, paths, gate=True, budget=None):
        env = dict(os.environ, XDG_CACHE_HOME=cls.cache_home)
        env[ENV_SECRET_NAME] = ENV_SECRET
        env.pop('NOVA_RESIZE_CHECKS_BUDGET', None)
        if budget:
            env['NOVA_RESIZE_CHECKS_BUDGET'] = budget
        if not gate:
            env[GATE_OFF] = '1'
        proc = subprocess.run(
            [sys.executable, '-m', 'nova_resize_checks.cli', 'review',
             '--format', 'json', '--jobs', '2', '--timeout', '60'] + paths,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env, timeout=3000)
        out = proc.stdout.decode('utf-8', 'replace')
        err = proc.stderr.decode('utf-8', 'replace')
        cls.outputs.append(out + err)
        try:
            doc = json.loads(out)
        except ValueError:
            doc = None
        return proc.returncode, doc, err

    @classmethod
    def setUpClass(cls):
        super(TestHostileRound3, cls).setUpClass()
        cls.outputs = []
        cls.work = tempfile.mkdtemp(prefix='nrc-round3-')
        cls.cache_home = tempfile.mkdtemp(prefix='.nrc-cache-',
                                          dir=os.path.dirname(HERE))
        cls.canaries = Canaries()
        values = {'{DGRAM_SOCKET}': cls.canaries.dgram_path,
                  '{SECRET_FILE}': cls.canaries.secret}
        corpus = os.path.join(cls.work, 'corpus')
        os.makedirs(corpus)
        cls.expect = {}
        for path in sorted(glob.glob(os.path.join(HOSTILE, '*.md')) +
                           glob.glob(os.path.join(HOSTILE4, '*.md')) +
                           glob.glob(os.path.join(HOSTILE4, '*[!t].json'))):
            name = os.path.basename(path)
            with open(path) as f:
                text = f.read()
            for key, value in values.items():
                text = text.replace(key, value)
            with open(os.path.join(corpus, name), 'w') as f:
                f.write(text)
            with open(path.rsplit('.', 1)[0] + '.expect.json') as f:
                cls.expect[name] = json.load(f)
        shutil.copy(VICTIM, os.path.join(corpus, 'zz_victim.md'))
        cls.gated = cls._cli([corpus])
        cls.ungated = cls._cli([corpus], gate=False)
        budget = os.path.join(cls.work, 'budget')
        os.makedirs(budget)
        shutil.copy(ONE_RUN, os.path.join(budget, 'zz_one_run.md'))
        shutil.copy(BUDGETED, os.path.join(budget, 'swapped.md'))
        cls.budgeted = cls._cli([budget], budget='review_runs=2')
        cls.datagrams = cls.canaries.received()

    @classmethod
    def tearDownClass(cls):
        cls.canaries.close()
        shutil.rmtree(cls.work, ignore_errors=True)
        shutil.rmtree(cls.cache_home, ignore_errors=True)
        super(TestHostileRound3, cls).tearDownClass()

    def _verdicts(self, run):
        code, doc, err = run
        self.assertIsNotNone(doc, 'no JSON report (exit %s): %s'
                             % (code, err[-2000:]))
        jsonschema.validate(doc, schemas.load('review'))
        return {os.path.basename(r['path']): r for r in doc['reviews']}

    def _check_corpus(self, run):
        found = self._verdicts(run)
        self.assertEqual(set(self.expect) | {'zz_victim.md'}, set(found))
        for name, expect in sorted(self.expect.items()):
            review = found[name]
            why = '%s (%s): %s' % (name, expect['class'], review.get('reason'))
            if 'verdict' in expect:
                self.assertEqual(expect['verdict'], review['verdict'], why)
            elif 'verdict_in' in expect:
                self.assertIn(review['verdict'], expect['verdict_in'], why)
            else:
                self.assertNotEqual(expect['verdict_not'], review['verdict'],
                                    why)
            self.assertTrue(review.get('reason'), name)
        self.assertEqual('weakens', found['zz_victim.md']['verdict'],
                         found['zz_victim.md'].get('reason'))
        self.assertEqual(1, run[0], 'flagged reviews give exit status 1')
        return found

    def test_static_gate_on(self):
        self._check_corpus(self.gated)

    def test_static_gate_off_run_layer_alone(self):
        found = self._check_corpus(self.ungated)
        self.assertFalse(self.ungated[1]['static_gate'])
        # Ungated, the refusals come from the kernel, not from the gate.
        # The audit hook (a witness) or the kernel stopped it...
        self.assertIn('confinement', found['coding_cookie_datagram.md'][
            'reason'])
        # ... and where no audit event comes first, the kernel: a forged
        # clean stream does not outweigh the kill.
        for name in ('memfd_memory.md', 'forged_stream_then_sigsys.md'):
            self.assertIn('seccomp', found[name]['reason'], name)

    def test_budget_makes_a_review_unverified_and_others_complete(self):
        found = self._verdicts(self.budgeted)
        # The other review completes within its own budget, from the
        # cache or not (a review that needs many runs would depend on
        # what earlier invocations left in the cache).
        self.assertEqual('breaks', found['zz_one_run.md']['verdict'],
                         found['zz_one_run.md'].get('reason'))
        # Its changed assertion must run against the mutants it alone
        # catches: more runs than two.
        self.assertEqual('unverified', found['swapped.md']['verdict'],
                         found['swapped.md'].get('reason'))
        self.assertIn('budget of 2 runs', found['swapped.md']['reason'])

    def test_a_forged_frame_does_not_choose_the_failing_line(self):
        for run in (self.gated, self.ungated):
            found = self._verdicts(run)
            name = 'forged_failure_frame.md'
            forged = self.expect[name]['forged_line']
            real = found[name]['proposed']['real']
            self.assertEqual('fail', real['outcome'], real)
            self.assertNotEqual(forged, real.get('failing_line'), real)
            self.assertNotIn('at line %d ' % forged,
                             found[name].get('reason', ''))

    def test_no_datagram_reached_the_host_socket(self):
        self.assertEqual([], self.datagrams)

    def test_planted_secret_never_appears(self):
        for output in self.outputs:
            self.assertNotIn(SECRET_TEXT, output)
            self.assertNotIn(ENV_SECRET, output)
        for root, _dirs, names in os.walk(self.cache_home):
            for name in names:
                with open(os.path.join(root, name), 'rb') as f:
                    data = f.read()
                self.assertNotIn(SECRET_TEXT.encode(), data, name)
                self.assertNotIn(ENV_SECRET.encode(), data, name)
