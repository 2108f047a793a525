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

"""backport.release: a release's sdist, unpacked and cached.

Nothing here reaches PyPI: pip runs for real but with no index (the
error path), and the cache is filled from a tarball the test makes (the
path after a download).  The download itself is covered by
tests/functional/test_backport.py.
"""

import io
import json
import os
import sys
import tarfile

import fixtures
import testtools

from nova_resize_checks.backport import release
from nova_resize_checks import cli
from tests.unit.backport import minirepo


def _tarball(path, members):
    """A .tar.gz of {name: text} (a text None is a directory)."""
    with tarfile.open(path, 'w:gz') as handle:
        for name, text in members.items():
            info = tarfile.TarInfo(name)
            if text is None:
                info.type = tarfile.DIRTYPE
                handle.addfile(info)
                continue
            data = text.encode()
            info.size = len(data)
            handle.addfile(info, io.BytesIO(data))
    return path


def _sdist(path, version='99.0.0'):
    with open(minirepo.AFFECTED_MANAGER) as handle:
        manager = handle.read()
    top = 'nova-%s/' % version
    return _tarball(path, {
        top + 'PKG-INFO': 'Metadata-Version: 1.1\nName: nova\n'
                          'Version: %s\n' % version,
        top + 'nova/compute/manager.py': manager})


class TestRelease(testtools.TestCase):

    def setUp(self):
        super(TestRelease, self).setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.cache = os.path.join(self.tmp, 'cache')
        self.useFixture(fixtures.EnvironmentVariable(
            'XDG_CACHE_HOME', os.path.join(self.tmp, 'xdg')))
        # pip without an index: a real run that cannot find anything.
        empty = os.path.join(self.tmp, 'no-index')
        os.makedirs(empty)
        for name, value in (('PIP_NO_INDEX', '1'),
                            ('PIP_FIND_LINKS', empty),
                            ('PIP_CONFIG_FILE', os.devnull)):
            self.useFixture(fixtures.EnvironmentVariable(name, value))

    def test_matrix_env(self):
        self.assertEqual('matrix-rocky-18.2.1', release.matrix_env('18.2.1'))
        self.assertEqual('matrix-stein-19.0.1', release.matrix_env('19.0.1'))
        self.assertEqual('matrix-queens-17.0.11',
                         release.matrix_env('17.0.11'))
        # Releases this package's own environment runs, or not versions.
        self.assertIsNone(release.matrix_env('34.0.0'))
        self.assertIsNone(release.matrix_env('15.0.0'))
        self.assertIsNone(release.matrix_env('19.0.1-5-geaa1fc6159'))
        self.assertIsNone(release.matrix_env(None))

    def test_cache_root_follows_xdg(self):
        self.assertEqual(
            os.path.join(self.tmp, 'xdg', 'nova-resize-checks', 'releases'),
            release.cache_root())
        self.assertEqual(
            os.path.join('/home/u', '.cache', 'nova-resize-checks',
                         'releases'),
            release.cache_root({'HOME': '/home/u'}))

    def test_versions(self):
        for good in ('19.0.1', '20.0.0.0rc1', '17.0.0.0b2', '2.0'):
            self.assertEqual(good, release.check_version(good))
        for bad in ('19.0.x', '', '../19', '19.0.1; rm', 'stable/stein'):
            self.assertRaises(release.ReleaseError, release.check_version,
                              bad)

    def test_unpack_returns_the_top_directory(self):
        archive = _sdist(os.path.join(self.tmp, 'nova-99.0.0.tar.gz'))
        top = release.unpack(archive, os.path.join(self.tmp, 'out'))
        self.assertEqual(os.path.join(os.path.realpath(self.tmp), 'out',
                                      'nova-99.0.0'), top)
        self.assertTrue(os.path.isfile(os.path.join(
            top, 'nova', 'compute', 'manager.py')))

    def test_unpack_refuses_members_outside(self):
        for members in ({'nova-1/../../evil': 'x'}, {'/etc/evil': 'x'}):
            archive = _tarball(os.path.join(self.tmp, 'bad.tar.gz'),
                               members)
            exc = self.assertRaises(release.ReleaseError, release.unpack,
                                    archive, os.path.join(self.tmp, 'out'))
            self.assertIn('outside', str(exc))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'evil')))
        link = os.path.join(self.tmp, 'link.tar.gz')
        with tarfile.open(link, 'w:gz') as handle:
            info = tarfile.TarInfo('nova-1/escape')
            info.type = tarfile.SYMTYPE
            info.linkname = '../../../etc/passwd'
            handle.addfile(info)
        self.assertRaises(release.ReleaseError, release.unpack, link,
                          os.path.join(self.tmp, 'out2'))

    def test_cached_release_is_used_without_pip(self):
        archive = _sdist(os.path.join(self.tmp, 'nova-99.0.0.tar.gz'))
        home = os.path.join(self.cache, 'nova-99.0.0')
        release.unpack(archive, home)
        with open(os.path.join(home, release._MARKER), 'w') as handle:
            json.dump({'version': '99.0.0', 'sdist': 'nova-99.0.0.tar.gz',
                       'sha256': '0' * 64, 'tree': 'nova-99.0.0'}, handle)
        # A pip that cannot start proves it is not called.
        tree, record = release.release_tree(
            '99.0.0', cache=self.cache, pip=['/nonexistent/pip'])
        self.assertEqual(os.path.join(home, 'nova-99.0.0'), tree)
        self.assertFalse(record['downloaded'])
        self.assertEqual('nova-99.0.0.tar.gz', record['sdist'])

    def test_pip_that_finds_nothing_is_a_readable_error(self):
        exc = self.assertRaises(release.ReleaseError, release.release_tree,
                                '99.0.0', cache=self.cache)
        self.assertIn('pip download nova==99.0.0 failed', str(exc))
        self.assertIn('ERROR: ', str(exc))
        # Nothing half-made is left to look cached.
        self.assertIsNone(release.cached('99.0.0', self.cache))
        self.assertEqual([], [name for name in os.listdir(self.cache)
                              if not name.startswith('.')])

    def test_unreachable_index_is_named(self):
        # Port 9 on the loopback refuses at once: no network is used.
        for name, value in (('PIP_NO_INDEX', ''), ('PIP_FIND_LINKS', ''),
                            ('PIP_INDEX_URL', 'http://127.0.0.1:9/simple'),
                            ('PIP_RETRIES', '1')):
            self.useFixture(fixtures.EnvironmentVariable(name, value))
        exc = self.assertRaises(release.ReleaseError, release.release_tree,
                                '99.0.0', cache=self.cache)
        self.assertIn('the index cannot be reached', str(exc))
        self.assertIn('Connection refused', str(exc))

    def test_pip_missing(self):
        exc = self.assertRaises(release.ReleaseError, release.release_tree,
                                '99.0.0', cache=self.cache,
                                pip=['/nonexistent/pip'])
        self.assertIn('cannot run pip (/nonexistent/pip)', str(exc))
        exc = self.assertRaises(
            release.ReleaseError, release.release_tree, '99.0.0',
            cache=self.cache,
            pip=[sys.executable, '-c', 'import sys; sys.stderr.write('
                 '"No module named pip\\n"); sys.exit(1)'])
        self.assertIn('pip is not available', str(exc))

    def test_cli_exits_two_when_pip_fails(self):
        out, err = io.StringIO(), io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', out))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', err))
        code = cli.main(['backport', '--patch', minirepo.FIX_PATCH,
                         '--nova-release', '99.0.0', '--static-only'])
        self.assertEqual(2, code)
        self.assertIn('--nova-release 99.0.0: pip download nova==99.0.0 '
                      'failed', ' '.join(err.getvalue().split()))
        self.assertEqual('', out.getvalue())
