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


import os
import textwrap

import testtools

from nova_resize_checks.review import gate
from nova_resize_checks.review import model

HERE = os.path.dirname(os.path.abspath(__file__))
CANONICAL = os.path.join(os.path.dirname(os.path.dirname(HERE)),
                         'functional', 'test_bug_1825537.py')

# The shape of upstream's version of the test: what reviews quote.
UPSTREAM_LIKE = textwrap.dedent('''\
    from nova.tests.functional import integrated_helpers


    class FinishResizeErrorAllocationCleanupTestCase(
            integrated_helpers.ProviderUsageBaseTestCase):

        compute_driver = 'fake.FakeFinishMigrationFailDriver'

        def setUp(self):
            super(FinishResizeErrorAllocationCleanupTestCase, self).setUp()
            flavors = self.api.get_flavors()
            self.flavor1 = flavors[0]
            self.flavor2 = flavors[1]

        def test_finish_resize_fails_allocation_cleanup(self):
            self._start_compute('host1')
            server = self._boot_and_check_allocations(self.flavor1, 'host1')
            source_rp_uuid = self._get_provider_uuid_by_host('host1')
            no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}
            self.assertEqual(no_usage,
                             self._get_provider_usages(source_rp_uuid))
            self.assertFlavorMatchesAllocation(
                self.flavor1, server['id'], source_rp_uuid)
    ''')

# name -> (code, a word the message must contain)
HOSTILE = {
    # Round 11: the package bound by name (then copied), a patcher's
    # target module, an evaluating builtin as an attribute, a process by
    # another name.
    'own_package': ('import nova_resize_checks as x\ny = x\n'
                    'y.mutants.apply', 'nova_resize_checks'),
    'own_package_dotted': ('import nova_resize_checks.runs.guard\n',
                           'nova_resize_checks'),
    'patcher_target': ("import mock\np = mock.patch('os.x', create=True)\n"
                       "p.target.write(1, b'x')\n", 'target'),
    'eval_attribute': ("import mock\np = mock.patch('builtins.x', "
                       "create=True)\nf = p.get_original\n"
                       "q = p\nq.x.eval('1')\n", 'eval'),
    'command_stdout': ("import uuid\nuuid._get_command_stdout('id')\n",
                       '_get_command_stdout'),
    'subprocess': ("import subprocess\nsubprocess.run(['id'])\n",
                   'subprocess'),
    'from subprocess': ('from subprocess import Popen\n', 'subprocess'),
    'os.system': ("import os\nos.system('id')\n", 'system'),
    'os alias': ("import os as o\no.system('id')\n", 'system'),
    'from os import system': ("from os import system\nsystem('id')\n",
                              'os.system'),
    'os.popen': ("import os\nos.popen('id')\n", 'popen'),
    'os.execv': ("import os\nos.execv('/bin/sh', ['sh'])\n", 'execv'),
    'os.spawnl': ("import os\nos.spawnl(os.P_WAIT, '/bin/sh')\n", 'spawnl'),
    'os.fork': ('import os\npid = os.fork()\n', 'fork'),
    'os.kill': ('import os\nos.kill(1, 9)\n', '.kill'),
    # Classes of bypass the gate once let through.
    'patch getter': ("from unittest import mock\n"
                     "mock.patch('os.x').getter().system('id')\n", 'getter'),
    'enum.bltns': ("import enum\nenum.bltns.open('/etc/x', 'w')\n",
                   'bltns'),
    'eventlet original': ("import eventlet\n"
                          "eventlet.hubs.patcher.original('subprocess')\n",
                          'hubs'),
    'sqlite3 via fixtures': ("from nova.tests import fixtures\n"
                             "fixtures.sqlite3.connect('/etc/x')\n",
                             'sqlite3'),
    'getattr on self': ('class A(object):\n'
                        '    def f(self, name):\n'
                        '        return getattr(self, name)\n', 'literal'),
    '**kwargs into open': ("kw = {'mode': 'w'}\nopen('/tmp/x', **kw)\n",
                           'unpacked'),
    '**kwargs elsewhere': ("import tempfile\nkw = {'dir': '/etc'}\n"
                           "tempfile.mkdtemp(**kw)\n", '**kw'),
    'tempfile prefix path': ("import tempfile\n"
                             "tempfile.mkstemp(prefix='../../etc/x')\n",
                             'prefix'),
    'patch own module': ("from unittest import mock\n"
                         "mock.patch('nova_resize_checks.runs.pool.Pool')\n",
                         'nova_resize_checks'),
    'dunder': ("x = ().__class__.__base__\n", '__base__'),
    'whole environment': ('import json\nimport os\n'
                          'json.dumps(dict(os.environ))\n', 'as a whole'),
    'environment items': ('import os\nx = list(os.environ.items())\n',
                          'as a whole'),

    'os.remove': ("import os\nos.remove('/tmp/x')\n", 'os.remove'),
    'os.unlink': ("import os\nos.unlink('x')\n", '.unlink'),
    'os.rmdir': ("import os\nos.rmdir('x')\n", 'os.rmdir'),
    'shutil.rmtree': ("import shutil\nshutil.rmtree('/')\n", 'shutil'),
    'socket': ('import socket\ns = socket.socket()\n', 'socket'),
    'ctypes': ("import ctypes\nctypes.CDLL('libc.so.6')\n", 'ctypes'),
    'cffi': ('import cffi\n', 'cffi'),
    'multiprocessing': ('import multiprocessing\n', 'multiprocessing'),
    'urllib': ('import urllib.request\n', 'urllib'),
    'http.client': ('import http.client\n', 'http'),
    'requests': ("import requests\nrequests.get('http://x')\n",
                 'requests'),
    'asyncio': ('import asyncio\n', 'asyncio'),
    'pty': ("import pty\npty.spawn('/bin/sh')\n", 'pty'),
    'signal': ('import signal\n', 'signal'),
    'importlib': ("import importlib\nimportlib.import_module('os')\n",
                  'importlib'),
    'builtins': ('import builtins\n', 'builtins'),
    'pickle': ("import pickle\npickle.loads(b'')\n", 'pickle'),
    'marshal': ("import marshal\nmarshal.loads(b'')\n", 'marshal'),
    'open write': ("open('/etc/x', 'w').write('x')\n", 'writing'),
    'open append': ("f = open('log.txt', mode='a')\n", 'writing'),
    'open absolute read': ("data = open('/etc/shadow').read()\n",
                           'outside a temp dir'),
    'open non-literal mode': ("m = 'w'\nopen('x', m)\n", 'mode'),
    '__import__': ("__import__('os').system('id')\n", '__import__'),
    'getattr built name': ("import os\ngetattr(os, 'sys' + 'tem')('id')\n",
                           'not a literal'),
    'getattr literal': ("import os\ngetattr(os, 'system')('id')\n",
                        'system'),
    'exec built string': ("code = 'import ' + 'os'\nexec(code)\n", 'exec'),
    'eval': ("eval('1 + 1')\n", 'eval'),
    'compile': ("compile('1', 'x', 'eval')\n", 'compile'),
    'eval alias': ('e = eval\n', 'eval'),
    # Round 4 (an outside attacker's): mock hands out the original of
    # what it patches, and builtins is not a patch target.
    'mock get_original': (
        "import mock\n"
        "f = mock.patch('nova.utils.execute').get_original()[0]\n",
        'get_original'),
    'mock temp_original': (
        "import mock\np = mock.patch('builtins.exec')\np.start()\n"
        "e = p.temp_original\n", 'temp_original'),
    'patch.dict builtins dict': (
        "import mock\nd = mock.patch.dict('builtins.__dict__')\n",
        '__dict__'),
    'patch dunder target': (
        "import mock\nmock.patch('nova.utils.__builtins__')\n",
        '__builtins__'),
    # The call stack as data tells a mutant's frames from nova's own.
    'findCaller': ("import logging\n"
                   "c = logging.getLogger(__name__).findCaller(True)\n",
                   'findCaller'),
    'stack_info': ("import logging\n"
                   "logging.getLogger(__name__).info('x', stack_info=True)\n",
                   'stack_info'),
    'warn stacklevel by position': (
        "import warnings\nwarnings.warn('x', UserWarning, 2)\n",
        'stacklevel'),
    'warn aliased': (
        "from warnings import warn as w\nw('x', UserWarning, 2)\n",
        'stacklevel'),
    'recording catch_warnings': (
        "import warnings\nwith warnings.catch_warnings(record=True) as s:\n"
        "    pass\n", 'record'),
    'filter by module': (
        "import warnings\nwarnings.filterwarnings('error', '', Warning, "
        "'nova_resize_checks')\n", 'module'),
    'showwarning replaced': (
        "import warnings\nwarnings.showwarning = print\n", 'showwarning'),
    # str.format walks attributes inside the string (round 7).
    'format field': ("x = '{0.__closure__}'.format(print)\n", '__closure__'),
    'format private field': ("x = '{0._x}'.format(print)\n", '._x'),
    'format nested spec': ("x = '{0:{1.__class__}}'.format(1, 2)\n",
                           '__class__'),
    'format of a variable': ("t = '{0}'\nx = t.format(1)\n",
                             'not a literal'),
    'format bound for later': ("f = '{0.__globals__}'.format\n",
                               '__globals__'),
    'logging brace style': ("import logging\nlogging.Formatter("
                            "'{args[0].__class__}', style='{')\n",
                            '__class__'),
    'format_exception': ("import traceback\n"
                         "t = traceback.format_exception(None)\n",
                         'traceback'),
    '__builtins__': ("__builtins__['eval']('1')\n", '__builtins__'),
    '__globals__': ("def f():\n    pass\n\n\nf.__globals__['x'] = 1\n",
                    '__globals__'),
    '__subclasses__': ('object.__subclasses__()\n', '__subclasses__'),
    '__code__': ('def f():\n    pass\n\n\nc = f.__code__\n', '__code__'),
    'sys.modules write': ("import sys\nsys.modules['os'] = None\n",
                          'sys.modules'),
    'sys._getframe': ('import sys\nsys._getframe()\n', '_getframe'),
    'sys.path insert': ("import sys\nsys.path.insert(0, '/tmp')\n",
                        'sys.path'),
    'environ write': ("import os\nos.environ['PATH'] = '/tmp'\n",
                      'os.environ'),
    'environ update': ("import os\nos.environ.update(PATH='/x')\n",
                       'os.environ'),
    'environ alias': ("from os import environ\nenv = environ\n",
                      'os.environ'),
    'module alias': ('import os\nmod = os\n', 'module os'),
    'chained module': ('from nova.tests.functional import '
                       'integrated_helpers\n'
                       "integrated_helpers.os.system('id')\n", '.os'),
    'privsep': ('import nova.privsep.path\n', 'privsep'),
    'processutils': ('from nova.utils import processutils\n',
                     'processutils'),
    'importutils': ("from oslo_utils import importutils\n"
                    "importutils.import_module('os')\n", 'importutils'),
    'nova utils execute': ("from nova import utils\nutils.execute('id')\n",
                           'execute'),
    'own cli': ('from nova_resize_checks import cli\n', 'cli'),
    'mock private': ("from unittest import mock\n"
                     "mock._importer('subprocess')\n", '_importer'),
    'patch odd module': ("from unittest import mock\n"
                         "mock.patch('antigravity.geohash')\n",
                         'antigravity'),
    'patch sys.path': ("from unittest import mock\n"
                       "mock.patch('sys.path', [])\n", 'sys.path'),
    'attrgetter': ("import operator\noperator.attrgetter('os')\n",
                   'attrgetter'),
    'get_type_hints': ('import typing\ntyping.get_type_hints(f)\n',
                       'get_type_hints'),
    'f-string': ("import os\nx = f\"{os.system('id')}\"\n", 'system'),
    'relative import': ('from . import helpers\n', 'relative'),
    'star import': ('from os import *\n', 'import *'),
    'not allow-listed': ('import pathlib\n', 'pathlib'),
}

ALLOWED = {
    'format of a literal': "x = '{0} {1!r:>4} {name}'.format(1, 2, name=3)\n",
    'warnings without the stack': (
        "import warnings\nwith warnings.catch_warnings():\n"
        "    warnings.simplefilter('ignore', DeprecationWarning)\n"
        "    warnings.warn('x', UserWarning)\n"),
    'infinite loop': 'while True:\n    pass\n',
    're.compile': "import re\npattern = re.compile('x')\n",
    'os.path': "import os\np = os.path.join('a', 'b')\n",
    'environ read': ("import os\nx = os.environ.get('HOME')\n"
                     "y = os.environ['HOME']\nz = 'HOME' in os.environ\n"),
    'threading': ('import threading\n'
                  'threading.Thread(target=print).start()\n'),
    'relative read': "data = open('data.json').read()\n",
    'temp read': "data = open('/tmp/data.json').read()\n",
    'getattr literal': "flavor = getattr(server, 'flavor', None)\n",
    'mock.patch nova': ('from unittest import mock\n'
                        "mock.patch('nova.compute.manager.ComputeManager."
                        "_finish_resize_helper')\n"
                        "mock.patch('builtins.open')\n"),
    'patch.object os': ('import os\nfrom unittest import mock\n'
                        "mock.patch.object(os, 'listdir')\n"),
    'fixtures': ('import fixtures\nfixtures.TempDir()\n'),
    'stdlib helpers': ('import collections\nimport copy\nimport datetime\n'
                       'import functools\nimport itertools\nimport json\n'
                       'import logging\nimport time\nimport uuid\n'
                       'time.sleep(0)\nLOG = logging.getLogger(__name__)\n'),
    'oslo': ('from oslo_log import log as logging\n'
             'from oslo_serialization import jsonutils\n'
             'from oslo_utils import uuidutils\n'),
    'own modules': ('from nova_resize_checks import base\n'
                    'from nova_resize_checks import virt\n'),
    'nova names': ('from nova import exception\nfrom nova import objects\n'
                   'from nova.tests import fixtures as nova_fixtures\n'),
    'testtools': ('import testtools\n'
                  'from testtools import matchers\n'),
}


def _unsafe(findings):
    return [f for f in findings if f.kind == model.UNSAFE_CODE]


class TestSafeCode(testtools.TestCase):

    def test_canonical_test_passes(self):
        with open(CANONICAL) as f:
            self.assertEqual([], gate.check(f.read(), 'canonical.py'))

    def test_upstream_shape_passes(self):
        self.assertEqual([], gate.check(UPSTREAM_LIKE, 'upstream.py'))

    def test_allowed_samples(self):
        for name, code in ALLOWED.items():
            self.assertEqual([], gate.check(code, name), name)


class TestHostileCode(testtools.TestCase):

    def test_hostile_samples_are_refused(self):
        for name, (code, word) in HOSTILE.items():
            findings = gate.check(code, 'review.py')
            self.assertTrue(_unsafe(findings), name)
            messages = ' | '.join(f.message for f in findings)
            self.assertIn(word, messages, name)

    def test_module_used_without_its_import(self):
        # The review may ask for the import in prose; the gate reads the
        # name as the module (and a parameter of that name as itself).
        self.assertTrue(_unsafe(gate.check('x = dict(os.environ)\n')))
        self.assertTrue(_unsafe(gate.check(
            "subprocess.run(['id'])\n")))
        self.assertEqual([], gate.check(
            'def f(os):\n    return dict(os.environ)\n'))

    def test_message_names_file_and_line(self):
        code = "x = 1\n\n\nimport subprocess\n"
        findings = gate.check(code, 'proposed.py')
        self.assertEqual(1, len(findings))
        self.assertTrue(findings[0].message.startswith('proposed.py:4: '),
                        findings[0].message)

    def test_hostile_code_inside_the_canonical_test(self):
        with open(CANONICAL) as f:
            source = f.read()
        source = source.replace(
            '        flavors = self.api.get_flavors()\n',
            '        flavors = self.api.get_flavors()\n'
            "        __import__('os').system('id')\n")
        findings = _unsafe(gate.check(source, 'test.py'))
        self.assertTrue(findings)
        line = source.splitlines().index(
            "        __import__('os').system('id')") + 1
        self.assertIn('test.py:%d:' % line, findings[0].message)


class TestOverlayBaseline(testtools.TestCase):

    def test_a_finding_the_original_has_once_counts_once(self):
        # The original's one execute() call is its own; a second one,
        # spelled the same way, is the review's.
        base = ("from oslo_concurrency import processutils\n"
                "def f():\n    processutils.execute('ls')\n")
        self.assertEqual([], _unsafe(gate.check(base, 'nova/x.py',
                                                baseline=base)))
        more = base + "def g():\n    processutils.execute('ls')\n"
        found = _unsafe(gate.check(more, 'nova/x.py', baseline=base))
        self.assertEqual(1, len(found))
        self.assertIn('nova/x.py:5', found[0].message)

    def test_the_original_construct_moved_into_a_new_helper_is_found(self):
        # Round 10: the original's one computed getattr moved into a helper
        # of the review's own keeps the count, but not its place.
        base = ("class M(object):\n"
                "    def run(self, name):\n"
                "        return getattr(self.manager, name)()\n")
        moved = ("class M(object):\n"
                 "    def _reach(self, obj, name):\n"
                 "        return getattr(self.manager, name)\n"
                 "    def run(self, name):\n"
                 "        return self._reach(self.manager, name)()\n")
        found = _unsafe(gate.check(moved, 'nova/x.py', baseline=base))
        self.assertEqual(1, len(found))
        self.assertIn('nova/x.py:3', found[0].message)
        # Reindented or reformatted in place, it is still the original's;
        # so is the same line quoted outside any function.
        same = base.replace('getattr(self.manager, name)()',
                            'getattr(self.manager,  name)()')
        self.assertEqual([], _unsafe(gate.check(same, 'nova/x.py',
                                                baseline=base)))
        self.assertEqual([], _unsafe(gate.check(
            'return getattr(self.manager, name)()\n', 'nova/x.py',
            baseline=base)))


class TestUnreadableInput(testtools.TestCase):

    def test_syntax_error_is_input_error_not_unsafe(self):
        findings = gate.check('def f(:\n    pass\n', 'bad.py')
        self.assertEqual([model.INPUT_ERROR], [f.kind for f in findings])
        self.assertFalse(gate.is_unsafe(findings))
        self.assertIn('bad.py', findings[0].message)

    def test_indented_snippet_is_dedented(self):
        code = "        self.assertEqual(1, 1)\n        import socket\n"
        findings = gate.check(code, 'snippet.py')
        self.assertEqual([model.UNSAFE_CODE], [f.kind for f in findings])
        self.assertIn('snippet.py:2:', findings[0].message)

    def test_null_bytes_are_input_error(self):
        findings = gate.check('x = 1\x00\n', 'bad.py')
        self.assertEqual([model.INPUT_ERROR], [f.kind for f in findings])

    def test_not_text_is_input_error(self):
        findings = gate.check(b'import os\n', 'bad.py')
        self.assertEqual([model.INPUT_ERROR], [f.kind for f in findings])

    def test_deep_nesting_fails_closed(self):
        for code in ('x = a' + '[0]' * 100000 + '\n',
                     'x = ' + '-' * 100000 + '1\n'):
            findings = gate.check(code, 'deep.py')
            self.assertEqual([model.UNSAFE_CODE],
                             [f.kind for f in findings])

    def test_too_many_parentheses_is_input_error(self):
        findings = gate.check('x = ' + '(' * 1000 + ')' * 1000, 'p.py')
        self.assertEqual([model.INPUT_ERROR], [f.kind for f in findings])

    def test_huge_input_fails_closed(self):
        findings = gate.check('x = 1\n' * (gate.policy.MAX_CHARS // 6 + 1))
        self.assertEqual([model.UNSAFE_CODE], [f.kind for f in findings])
        self.assertIn('too large', findings[0].message)

    def test_long_flat_code_is_checked(self):
        code = 'x = ' + ' or '.join(['a'] * 20000) + '\nimport socket\n'
        findings = gate.check(code, 'flat.py')
        self.assertIn('socket', findings[0].message)


class TestBaseline(testtools.TestCase):

    MANAGER = textwrap.dedent('''\
        import inspect

        from nova import utils


        class ComputeManager(object):
            def finish_resize(self, context, instance, migration):
                name = 'x'
                return getattr(self.driver, name)
        ''')

    def test_only_new_findings_are_reported(self):
        self.assertTrue(gate.check(self.MANAGER, 'manager.py'))
        self.assertEqual([], gate.check(self.MANAGER, 'manager.py',
                                        baseline=self.MANAGER))
        changed = self.MANAGER.replace(
            'import inspect\n', 'import inspect\nimport subprocess\n')
        findings = gate.check(changed, 'manager.py', baseline=self.MANAGER)
        self.assertEqual(1, len(findings))
        self.assertIn('subprocess', findings[0].message)

    def test_a_module_the_original_imports_is_not_free_to_use(self):
        # The original imports inspect; the patch's own uses of it
        # (reading a mutant's closure, walking the stack) are findings of
        # their own, not hidden behind the original's import.
        for use in ('inspect.getclosurevars(self.driver).nonlocals',
                    'inspect.stack()[1]', 'list(map(print, [inspect]))'):
            changed = self.MANAGER.replace(
                "        return getattr(self.driver, name)\n",
                "        seen = %s\n"
                "        return getattr(self.driver, name)\n" % use)
            findings = gate.check(changed, 'manager.py',
                                  baseline=self.MANAGER)
            self.assertEqual(1, len(findings), use)
            self.assertIn('inspect', findings[0].message)

    def test_same_rule_other_code_is_reported(self):
        changed = self.MANAGER.replace(
            "        return getattr(self.driver, name)\n",
            "        return getattr(self.driver, name)\n"
            "        utils.execute('rm', '-rf', '/')\n")
        findings = gate.check(changed, 'manager.py', baseline=self.MANAGER)
        self.assertEqual(1, len(findings))
        self.assertIn('execute', findings[0].message)

    def test_check_proposed(self):
        with open(CANONICAL) as f:
            test = f.read()
        changed = self.MANAGER.replace('import inspect\n',
                                       'import inspect\nimport socket\n')
        version = model.ProposedVersion(
            test_source=test,
            nova_overlay={'nova/compute/manager.py': changed},
            applied=[])
        findings = gate.check_proposed(
            version, nova_reader=lambda path: self.MANAGER)
        self.assertEqual(1, len(findings))
        self.assertIn('nova/compute/manager.py:2:', findings[0].message)
        self.assertTrue(gate.is_unsafe(findings))


class TestUnappliedPieces(testtools.TestCase):

    def test_a_fragment_is_judged_by_the_pieces_that_parse(self):
        # Module-level imports above an indented method: the whole does
        # not parse, each part does, and each is judged.
        code = ("import os\n\n\n    def tearDown(self):\n"
                "        os.system('id')\n")
        pieces = gate.pieces(code)
        self.assertEqual(['import os\n',
                          "def tearDown(self):\n    os.system('id')\n"],
                         pieces)
        self.assertEqual([], gate.pieces('   \n'))
        self.assertEqual(['x = 1\n'], gate.pieces('x = 1\n'))
